"""The owner's panel on the accession page: what it says lands where the owner is looking, and every date on
the page is the locale's long date ("3 December 2026"), ISO only inside date inputs."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from archive.services.access import reviewer_link_create, reviewer_link_revoke, study_collaborator_invite
from archive.services.accession import study_version_add
from tests.factories import UserFactory, make_study, stored_file, study_metadata

pytestmark = pytest.mark.django_db

MONTHS = ["January", "February", "March", "April", "May", "June"]
MONTHS += ["July", "August", "September", "October", "November", "December"]
LONG_DATE = re.compile(rf"\b\d{{1,2}} (?:{'|'.join(MONTHS)}) \d{{4}}\b")
OTHER_DATES = {
    "ISO": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "abbreviated month": re.compile(r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?(?![a-z])"),
    "month first": re.compile(rf"\b(?:{'|'.join(MONTHS)}) \d{{1,2}}\b"),
    "numeric": re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"),
}


class _VisibleText(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts (the JSON-LD) or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._skipping = [], 0

    def handle_starttag(self, tag, attrs):
        self._skipping += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skipping -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _page(client, study) -> str:
    response = client.get(reverse("study-detail", args=[study.accession]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def busy_study(submitter):
    """A confidential study with two versions, a reviewer link that expires and one that was revoked."""
    study = make_study(owner=submitter, status="confidential")
    study_version_add(study=study, metadata=study_metadata("Second version"), files=[stored_file("a.txt", b"a")])
    expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30)
    reviewer_link_create(study=study, actor=submitter, expires_at=expires)
    revoked, _token = reviewer_link_create(study=study, actor=submitter)
    reviewer_link_revoke(link=revoked, actor=submitter)
    study_collaborator_invite(study=study, actor=submitter, username_or_email=UserFactory().username)
    return study


def test_accession_page_shows_every_date_as_the_long_date(busy_study, submitter_client, client):
    released = make_study(status="obsolete")
    pages = {
        "owner": visible_text(_page(submitter_client, busy_study)),
        "public": visible_text(_page(client, released)),
    }

    for who, text in pages.items():
        for name, shape in OTHER_DATES.items():
            assert not shape.findall(text), f"{who} page shows {name} dates: {shape.findall(text)}"
    owner_dates = LONG_DATE.findall(pages["owner"])
    # Release date (banner, about box, panel), latest date, both versions, three reviewer-link lines and more.
    assert len(owner_dates) >= 8, owner_dates
    assert 'type="date"' in _page(submitter_client, busy_study)  # ISO lives on, in the date inputs only


def _section(html: str, section_id: str) -> str:
    found = re.search(rf'<section [^>]*id="{section_id}".*?</section>', html, re.S)
    assert found, f"no section {section_id}"
    return found.group(0)


def test_owner_panel_messages_show_in_the_section_acted_on(busy_study, submitter_client):
    response = submitter_client.post(
        reverse("study-collaborator-remove", args=[busy_study.accession, "someone_else"]), follow=True
    )

    assert response.redirect_chain == [(reverse("study-detail", args=[busy_study.accession]) + "#collaborators", 302)]
    html = response.content.decode()
    message = "“someone_else” is not a collaborator of this study."
    assert message in _section(html, "collaborators") and html.count(message) == 1
    assert 'role="alert"' in _section(html, "collaborators")

    day = busy_study.release_date + datetime.timedelta(days=1)
    response = submitter_client.post(
        reverse("study-release-date", args=[busy_study.accession]),
        {"release-release_date": day.isoformat()},
        follow=True,
    )
    html = response.content.decode()
    assert f"The release date is now {day:%-d %B %Y}." in _section(html, "release-date")


@pytest.mark.parametrize(
    ("route", "form_id", "refused"),
    [
        ("study-release-date", "release-date-form", {"release-release_date": "2099-01-01"}),
        ("study-release-now", "release-now-form", {}),
        ("study-reviewer-links", "reviewer-link-form", {"link-expires_at": "2000-01-01"}),
        ("study-collaborators", "collaborator-form", {"collaborator-user": "x" * 300}),
    ],
)
def test_owner_forms_come_back_focused_where_they_went_wrong(busy_study, submitter_client, route, form_id, refused):
    """A refused form is the POST's answer; its first field in error is autofocused, which the browser scrolls
    into view (the browser test checks the viewport)."""
    answer = submitter_client.post(reverse(route, args=[busy_study.accession]), refused)

    assert answer.status_code == 200
    html = answer.content.decode()
    form = re.search(rf'<form [^>]*id="{form_id}".*?</form>', html, re.S).group(0)
    assert 'class="invalid-feedback' in form
    for name, shape in OTHER_DATES.items():  # the refusals' own words too
        assert not shape.findall(visible_text(html)), name
    assert len(re.findall(r"<(?:input|textarea|select)[^>]* autofocus", html)) == 1
    [focused] = re.findall(r"<(?:input|textarea|select)[^>]* autofocus[^>]*>", form)
    assert 'aria-invalid="true"' in focused


def test_owner_form_refused_without_a_field_focuses_its_error_summary(submitter, submitter_client):
    released = make_study(owner=submitter)

    answer = submitter_client.post(reverse("study-reviewer-links", args=[released.accession]), {})

    html = answer.content.decode()
    assert re.search(r'<div class="alert alert-danger" role="alert" id="link-errors" tabindex="-1" autofocus>', html)
    assert "Only a confidential study needs reviewer links" in html
