from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from archive.selectors.search import StudySearch, studies_listed_for


class StudySitemap(Sitemap):
    """Every study the public can find, obsolete ones included; never hidden, confidential or removed."""

    changefreq = "monthly"

    def items(self):
        return (
            studies_listed_for(AnonymousUser(), StudySearch(include_obsolete=True))
            .select_related(None)
            .annotate(newest_version_at=Max("versions__created_at"))
            .only("accession", "released_at", "status_changed_at", "created_at")
            .order_by("number")
        )

    def location(self, study):
        return reverse("study-detail", args=[study.accession])

    def lastmod(self, study):
        moments = [study.released_at, study.status_changed_at, study.newest_version_at, study.created_at]
        return max(moment for moment in moments if moment is not None)


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["home", "search"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "studies": StudySitemap}
