"""The review queue's URLs; included under `curation/review/` in curation's namespace, so names stay `curation:*`."""

from django.urls import path

from curation.review import views

urlpatterns = [
    path("", views.review_queue_list, name="review_queue"),
    path("<int:pk>/", views.review_detail, name="review_detail"),
    path("<int:pk>/files/<int:file_pk>/thumbnail.png", views.review_file_thumbnail_view, name="review_file_thumbnail"),
]
