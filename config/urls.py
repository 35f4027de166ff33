from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from archive.views import seo

# The one page with a wider Content-Security-Policy: Redoc injects its styles at run time and runs
# its search in a worker made from a blob (its start-up script is static/js/api-docs.js).
api_docs = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("api/v1/uploads/", include("uploads.api_urls")),
    path("api/v1/curation/", include("curation.api_urls")),
    path("api/v1/", include("submissions.api_urls")),
    path("api/v1/", include("archive.api.urls")),
    path("uploads/", include("uploads.urls")),
    path("submissions/", include("submissions.urls")),
    path("projects/", include("curation.projects.urls")),
    path("curation/", include("curation.urls")),
    path("favicon.ico", seo.favicon, name="favicon"),
    path("", include("harvest.urls")),
    path("", include("archive.urls")),
]

handler400 = "archive.views.errors.bad_request"
handler403 = "archive.views.errors.permission_denied"
handler404 = "archive.views.errors.page_not_found"
handler500 = "archive.views.errors.server_error"
