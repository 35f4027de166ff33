from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"),
        name="api-docs",
    ),
    path("api/v1/uploads/", include("uploads.api_urls")),
    path("api/v1/curation/", include("curation.api_urls")),
    path("api/v1/", include("submissions.api_urls")),
    path("api/v1/", include("archive.api.urls")),
    path("uploads/", include("uploads.urls")),
    path("submissions/", include("submissions.urls")),
    path("projects/", include("curation.project_urls")),
    path("curation/", include("curation.urls")),
    path("", include("archive.urls")),
]

handler400 = "archive.views.errors.bad_request"
handler403 = "archive.views.errors.permission_denied"
handler404 = "archive.views.errors.page_not_found"
handler500 = "archive.views.errors.server_error"
