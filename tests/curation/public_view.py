"""What the public sees of a study after a curator acted: pages, search, API lists, sitemap, storage."""

from django.urls import reverse

from archive.models import Study
from archive.storage import archive_storage


def listed_publicly(client, study: Study, *, include_obsolete: bool = False) -> dict[str, bool]:
    """Say where an anonymous visitor finds the study: the search page, the API list, the sitemap."""
    extra = {"include_obsolete": "1"} if include_obsolete else {}
    search = client.get(reverse("search"), {"q": study.title, **extra}).content.decode()
    api = client.get("/api/v1/studies/", extra).json()["results"]
    return {
        "search": study.accession in search,
        "api": study.accession in [row["accession"] for row in api],
        "sitemap": f"/studies/{study.accession}/" in client.get("/sitemap.xml").content.decode(),
    }


def assert_tombstone(client, study: Study, *, reason: str) -> None:
    """P-REMOVE: 410 with the date and the reason category only, `noindex`, and listed nowhere."""
    study.refresh_from_db()
    page = client.get(reverse("study-detail", args=[study.accession]))
    html = page.content.decode()
    assert page.status_code == 410
    assert '<meta name="robots" content="noindex">' in html
    assert reason in html and study.status_changed_at.strftime("%Y") in html
    assert study.title not in html
    assert study.status_note and study.status_note not in html
    api = client.get(f"/api/v1/studies/{study.accession}/")
    assert api.status_code == 410 and api["X-Robots-Tag"] == "noindex"
    assert set(api.json()) == {"accession", "status", "removed_at", "reason_category"}
    assert listed_publicly(client, study, include_obsolete=True) == {"search": False, "api": False, "sitemap": False}


def assert_data_kept(study: Study) -> None:
    """The bytes of every file of every version are still in archive storage."""
    storage = archive_storage()
    keys = {key for version in study.versions.all() for key in version.files.values_list("storage_key", flat=True)}
    assert keys and all(storage.exists(key) for key in keys)
