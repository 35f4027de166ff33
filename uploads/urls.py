from django.urls import path

from uploads import views

app_name = "uploads"

urlpatterns = [
    path("", views.area, name="area"),
    path("files/<int:pk>/delete/", views.file_delete, name="file-delete"),
]
