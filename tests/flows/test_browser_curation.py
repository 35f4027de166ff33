"""A curator in a real browser removes a study in the admin; its public page becomes a tombstone (P-REMOVE)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from archive.models import StudyStatus
from core.models import CurationEvent
from tests.factories import make_curator, make_study

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # the factories' password


def test_p_remove_curator_removes_a_study_in_the_admin_and_the_page_becomes_a_tombstone(live_server, page, output_path):
    curator = make_curator("carol")
    study = make_study(title="Zebrafish fin regrowth, retracted")
    make_study(title="Arabidopsis root tip growth")
    public_url = live_server.url + reverse("study-detail", args=[study.accession])
    shots = output_path

    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill(curator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + reverse("admin:archive_study_changelist"))
    page.screenshot(path=f"{shots}/1-studies.png", full_page=True)

    page.get_by_role("row", name=re.compile(study.accession)).get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Action").select_option(label="Remove selected studies…")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", name="Remove: 1 study")).to_be_visible()
    expect(page.get_by_text(study.title)).to_be_visible()
    page.get_by_label("Reason category").select_option(label="Publication retracted")
    page.get_by_label("Note").fill("The journal retracted the article on 3 November.")
    page.screenshot(path=f"{shots}/2-confirm.png", full_page=True)
    page.get_by_role("button", name="Remove 1 study").click()

    expect(page.get_by_text("1 study removed.")).to_be_visible()
    page.screenshot(path=f"{shots}/3-removed.png", full_page=True)
    study.refresh_from_db()
    assert study.status == StudyStatus.REMOVED
    event = CurationEvent.objects.get(action="study.removed")
    assert (event.actor, event.reason_category) == (curator, "retraction")

    page.goto(live_server.url + reverse("admin:archive_study_change", args=[study.pk]))
    expect(page.get_by_text("study.removed", exact=True)).to_be_visible()
    page.screenshot(path=f"{shots}/4-history.png", full_page=True)

    page.context.clear_cookies()  # a visitor now
    answer = page.goto(public_url)
    assert answer.status == 410
    expect(page.get_by_role("heading", name=f"{study.accession} has been removed")).to_be_visible()
    expect(page.get_by_text("Publication retracted")).to_be_visible()
    assert study.title not in page.content() and "journal retracted" not in page.content()
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex"
    page.screenshot(path=f"{shots}/5-tombstone.png", full_page=True)
