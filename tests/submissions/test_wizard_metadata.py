"""The wizard's metadata step (issue #12): what is needed to submit is marked, authors are added and removed with or
without JavaScript, placeholders never look like data, saving says so, and the first author comes from the profile."""

import re

import pytest
from django.urls import reverse

from accounts.services import profile_update
from submissions.services import submission_create_draft, submission_metadata_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def step_url(submission, step: str = "metadata") -> str:
    return reverse("submissions:step", args=[submission.pk, step])


@pytest.fixture
def draft(submitter):
    return submission_create_draft(owner=submitter, metadata={"title": "Draft study"})


def _input(html: str, name: str) -> str:
    """The whole <input> or <textarea> tag of the field called `name`."""
    found = re.search(rf'<(?:input|textarea)[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert found, name
    return found.group()


def _authors_post(*rows: dict, initial: int = 0, go: str = "stay", **fields) -> dict:
    data = {
        "title": "Mitochondria in motion",
        "authors-TOTAL_FORMS": str(len(rows)),
        "authors-INITIAL_FORMS": str(initial),
        "go": go,
        **fields,
    }
    for number, row in enumerate(rows):
        data.update({f"authors-{number}-{key}": value for key, value in row.items()})
    return data


def test_metadata_step_marks_each_field_needed_to_submit_and_explains_the_mark(submitter_client, draft):
    html = submitter_client.get(step_url(draft)).content.decode()

    assert 'id="needed-legend"' in html and "needed to submit" in html
    for name in ("title", "description", "organism", "imaging_method", "authors-0-name"):
        assert 'aria-required="true"' in _input(html, name), name
    for name in ("keywords", "funding", "organism_taxon_id", "authors-0-orcid", "authors-0-affiliation", "biosample"):
        assert "aria-required" not in _input(html, name), name
    # The two groups where one of several inputs is enough say so in their legend, for screen readers too.
    legends = re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.DOTALL)
    assert any("Authors" in legend and "needed to submit" in legend for legend in legends)
    assert any("Publication" in legend and "needed to submit" in legend for legend in legends)
    assert html.count('<span class="text-danger" aria-hidden="true">*</span>') == 6


def test_metadata_step_has_no_placeholder_that_looks_like_a_value(submitter_client, draft):
    html = submitter_client.get(step_url(draft)).content.decode()

    placeholders = re.findall(r'placeholder="([^"]*)"', html)
    assert [text for text in placeholders if not text.startswith("e.g. ")] == []
    assert "0000-0002-1825-0097" in html  # the ORCID iD's shape is explained in help text instead
    assert not re.search(r'<input[^>]*value="0000-0002-1825-0097"', html)


def test_metadata_step_prefills_the_first_author_from_the_profile_without_saving_it(client):
    user = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    profile_update(actor=user, orcid="0000-0002-1825-0097", affiliation="EMBL-EBI")
    draft = submission_create_draft(owner=user, metadata={"title": "Draft study"})
    client.force_login(user)

    html = client.get(step_url(draft)).content.decode()

    assert 'value="Ada Lovelace"' in _input(html, "authors-0-name")
    assert 'value="EMBL-EBI"' in _input(html, "authors-0-affiliation")
    assert 'value="0000-0002-1825-0097"' in _input(html, "authors-0-orcid")
    assert "value=" not in _input(html, "authors-1-name")  # and one empty row for the next author
    draft.refresh_from_db()
    assert draft.metadata == {"title": "Draft study"}  # only offered: saving the step is what keeps it

    client.post(step_url(draft), _authors_post({"name": "Ada Lovelace", "affiliation": "EMBL-EBI"}, initial=1))
    draft.refresh_from_db()
    assert draft.metadata["authors"] == [{"name": "Ada Lovelace", "affiliation": "EMBL-EBI"}]


def test_metadata_step_prefills_nothing_once_the_draft_has_authors_or_without_a_name(client):
    named = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    with_authors = submission_create_draft(owner=named, metadata={"authors": [{"name": "Grace Hopper"}]})
    nameless = UserFactory(username="anon")
    profile_update(actor=nameless, orcid="0000-0002-1825-0097", affiliation="EMBL-EBI")
    empty = submission_create_draft(owner=nameless, metadata={})

    client.force_login(named)
    html = client.get(step_url(with_authors)).content.decode()
    assert 'value="Grace Hopper"' in _input(html, "authors-0-name")
    assert "Ada Lovelace" not in html
    # Without a name the row would be refused as it stands ("give a name"), so nothing is filled in.
    client.force_login(nameless)
    html = client.get(step_url(empty)).content.decode()
    assert "value=" not in _input(html, "authors-0-name") and "EMBL-EBI" not in html


def test_metadata_step_add_author_without_javascript_saves_and_opens_a_new_row_with_focus(submitter_client, draft):
    response = submitter_client.post(
        step_url(draft), _authors_post({"name": "Ada Lovelace"}, {"name": "Alan Turing"}, go="add-author")
    )

    assert response.status_code == 302 and response["Location"] == step_url(draft) + "?add=author"
    draft.refresh_from_db()
    assert [a["name"] for a in draft.metadata["authors"]] == ["Ada Lovelace", "Alan Turing"]
    html = submitter_client.get(response["Location"]).content.decode()
    assert 'name="authors-TOTAL_FORMS" value="3"' in html
    assert "autofocus" in _input(html, "authors-2-name")
    assert "autofocus" not in _input(html, "authors-0-name")
    assert ">Author <span data-author-number>3</span>: name</label>" in html
    assert "autofocus" not in submitter_client.get(step_url(draft)).content.decode()


def test_metadata_step_remove_author_without_javascript_saves_the_rest_in_order(submitter_client, submitter, draft):
    authors = [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}, {"name": "Grace Hopper"}]
    submission_metadata_update(submission=draft, actor=submitter, metadata={"title": "T", "authors": authors})
    html = submitter_client.get(step_url(draft)).content.decode()
    assert len(re.findall(r'<input type="checkbox" name="authors-\d-DELETE"', html)) == 4
    assert 'Remove<span class="visually-hidden"> author <span data-author-number>2</span></span>' in html

    rows = [*authors, {"name": ""}]
    rows[1] = {**rows[1], "DELETE": "on"}
    response = submitter_client.post(step_url(draft), _authors_post(*rows, initial=3))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert [a["name"] for a in draft.metadata["authors"]] == ["Ada Lovelace", "Grace Hopper"]


def test_metadata_step_a_removed_row_is_not_checked(submitter_client, draft):
    rows = [{"name": "Ada Lovelace"}, {"name": "", "orcid": "not an orcid", "DELETE": "on"}]

    response = submitter_client.post(step_url(draft), _authors_post(*rows, initial=0))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.metadata["authors"] == [{"name": "Ada Lovelace", "affiliation": ""}]


def test_metadata_step_offers_the_empty_author_row_to_the_script(submitter_client, draft):
    html = submitter_client.get(step_url(draft)).content.decode()

    template = re.search(r'<template id="author-row-template">(.*?)</template>', html, re.DOTALL)
    assert template and 'name="authors-__prefix__-name"' in template.group(1)
    assert "<span data-author-number>__number__</span>" in template.group(1)
    assert re.search(r'<script src="/static/js/wizard-authors[^"]*\.js" defer></script>', html)
    assert re.search(r'<button type="submit" name="go" value="add-author"[^>]*>Add another author</button>', html)


def test_metadata_step_saved_message_says_what_is_still_missing_with_a_link_to_the_review(submitter_client, draft):
    response = submitter_client.post(step_url(draft), _authors_post({"name": "Ada Lovelace"}), follow=True)

    html = response.content.decode()
    message = re.search(r'<div class="alert alert-success[^"]*" role="status">(.*?)<button', html, re.DOTALL)
    assert message, html
    text = message.group(1)
    assert "Study details saved." in text
    assert "Still needed to submit: Description, Organism, Imaging method, Publication DOI." in text
    assert f'href="{step_url(draft, "review")}"' in text


def test_metadata_step_saved_message_when_the_details_are_complete(submitter_client, draft):
    data = _authors_post(
        {"name": "Ada Lovelace"},
        description="Live-cell confocal time-lapse.",
        organism="Homo sapiens",
        imaging_method="confocal microscopy",
        no_publication_reason="A reference atlas.",
    )

    html = submitter_client.post(step_url(draft), data, follow=True).content.decode()

    assert "Study details saved: they have everything needed to submit." in html
    assert "Still needed" not in html
