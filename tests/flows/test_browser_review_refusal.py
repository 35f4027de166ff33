"""A curator in a real browser refuses a submission that waited only for its release date (P-SCOPE review)."""

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from core.models import CurationEvent
from submissions import scope
from submissions.models import SubmissionState
from tests.curation.review_helpers import in_review_for_release_date
from tests.factories import make_curator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_p_scope_curator_refuses_a_release_beyond_bound_submission_for_the_reason_chosen(
    live_server, page, sign_in, submitter, output_path
):
    submission = in_review_for_release_date(submitter)
    mail.outbox.clear()  # the submitter was told it waits for review
    sign_in(page, make_curator("carol"))
    page.goto(live_server.url + reverse("curation:review_detail", args=[submission.pk]))
    reason = page.get_by_label("Reason")
    expect(reason).to_have_value("")
    options = reason.locator("option").all_inner_texts()
    assert options == [
        "Choose a reason…",
        "Release date beyond the bound not justified",
        "Other (explained in the message)",
    ]

    # Without a chosen reason the browser asks for one and sends nothing (the server would refuse it too).
    page.get_by_label("Message").last.fill("Three years is longer than a patent needs here.")
    page.get_by_role("button", name="Refuse").click()
    assert reason.evaluate("select => select.validity.valueMissing")
    page.screenshot(path=f"{output_path}/1-no-reason.png", full_page=True)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.IN_REVIEW and not mail.outbox

    page.get_by_label("Reason").select_option(label="Release date beyond the bound not justified")
    page.screenshot(path=f"{output_path}/2-chosen.png", full_page=True)
    page.get_by_role("button", name="Refuse").click()
    expect(page.get_by_text(f"Submission {submission.pk} “Embargoed screen” refused.")).to_be_visible()
    page.screenshot(path=f"{output_path}/3-refused.png", full_page=True)

    submission.refresh_from_db()
    assert submission.state == SubmissionState.REFUSED
    assert CurationEvent.objects.get(action="submission.refused").reason_category == "release_beyond_bound"
    (message,) = mail.outbox
    assert "Reason: Release date beyond the bound not justified" in message.body
    assert "Three years is longer than a patent needs here." in message.body
    assert scope.EGA_URL not in message.body and "Identifiable human data" not in message.body
