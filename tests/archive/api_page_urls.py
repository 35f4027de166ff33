"""The site's URLs, plus stand-ins for any study page route the API links to that is not written yet.

The API builds `page_url`, `download_url` and `manifest_url` from these names;
once archive/urls.py defines them all, no stand-in is added and the tests run
against the real routes.
"""

from django.http import HttpResponse
from django.urls import NoReverseMatch, path, reverse

from config.urls import urlpatterns as site_urlpatterns

PAGE_ROUTES = {
    "study-detail": ("studies/<str:accession>/", {"accession": "S-BIAD1"}),
    "study-version": ("studies/<str:accession>/v<int:version>/", {"accession": "S-BIAD1", "version": 1}),
    "study-file": ("studies/<str:accession>/files/<path:path>", {"accession": "S-BIAD1", "path": "a/b.tif"}),
    "study-manifest": ("studies/<str:accession>/manifest.sha256", {"accession": "S-BIAD1"}),
}


def _stand_in(request, **kwargs):
    return HttpResponse("stand-in for a page route not written yet", status=501)


def _missing(name: str, kwargs: dict) -> bool:
    try:
        reverse(name, kwargs=kwargs, urlconf="config.urls")
    except NoReverseMatch:
        return True
    return False


urlpatterns = [
    *[path(route, _stand_in, name=name) for name, (route, kwargs) in PAGE_ROUTES.items() if _missing(name, kwargs)],
    *site_urlpatterns,
]
