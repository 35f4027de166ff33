from django.urls import path

from uploads import api
from uploads.tus import TusView

urlpatterns = [
    path("tus/", TusView.as_view(), name="uploads-tus"),
    path("tus/<uuid:upload_id>/", TusView.as_view(), name="uploads-tus-upload"),
    path("files/", api.UploadFileListView.as_view(), name="api-upload-files"),
    path("files/<int:id>/", api.UploadFileDetailView.as_view(), name="api-upload-file"),
]
