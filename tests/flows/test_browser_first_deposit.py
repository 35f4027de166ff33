"""A first-time depositor in a real browser, from sign-up to accession, through a scope answer given by mistake.

P-SCOPE: a refusing answer is explained and must be confirmed before it takes effect; going back keeps the
answers; a certified draft can be certified again, and every certification stays on record.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from archive.models import Study
from submissions.models import Submission, SubmissionState
from tests.flows.shots import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long passphrase for the archive"
FILES = {
    "hela-fission/raw/cell_01.tif": b"II*\x00" + b"1" * 4000,
    "hela-fission/raw/cell_02.tif": b"II*\x00" + b"2" * 5000,
}


def _continue(page):
    page.get_by_role("button", name="Save and continue →").click()


def _answer(page, **answers):
    for question, answer in answers.items():
        page.locator(f'input[name="{question}"][value="{answer}"]').check()


def test_p_scope_first_deposit_confirms_before_a_refusal_and_recertifies_the_draft(
    live_server, page, tmp_path, output_path
):
    # Sign up, confirm the e-mail address, sign in: the landing page is "My studies".
    page.goto(live_server.url + reverse("account_signup"))
    page.get_by_label("Email").fill("rosalind@example.org")
    page.get_by_label("Username").fill("rosalind")
    page.locator("#id_password1").fill(PASSWORD)  # its label is a prefix of the next one's
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Login").fill("rosalind")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/my/studies/$"))

    # Upload a folder of HeLa images.
    local = tmp_path / "local"
    for relative, content in FILES.items():
        (local / relative).parent.mkdir(parents=True, exist_ok=True)
        (local / relative).write_bytes(content)
    page.goto(live_server.url + "/uploads/")
    page.locator("#uppy-dashboard input[type=file][webkitdirectory]").set_input_files(local / "hela-fission")
    page.get_by_role("button", name=f"Upload {len(FILES)} files").click()
    expect(page.locator("#upload-status")).to_contain_text(f"{len(FILES)} files uploaded", timeout=30_000)

    page.get_by_role("link", name="Submissions", exact=True).click()
    page.get_by_role("button", name="New submission").click()
    expect(page.get_by_role("heading", name="Step 1: Study details")).to_be_visible()
    page.get_by_label("Title").fill("Mitochondrial fission in HeLa cells")
    page.get_by_label("Description").fill("Confocal images of mitochondria in HeLa cells.")
    page.get_by_label("Author 1: name").fill("Rosalind Franklin")
    page.get_by_label(re.compile(r"^Organism\b")).fill("Homo sapiens")
    page.get_by_label(re.compile(r"^Imaging method\b")).fill("confocal microscopy")
    page.get_by_label("Publication DOI").fill("10.1038/s41592-021-01234-5")
    _continue(page)
    expect(page.get_by_role("heading", name="Step 2: Files")).to_be_visible()
    page.locator('input[name="folders"][value="hela-fission"]').check()
    _continue(page)

    # The scope step: "no" to the consent question, read as being about people, is explained before it counts.
    expect(page.get_by_role("heading", name="Step 3: Scope")).to_be_visible()
    _answer(page, human_material="no", primary_medical_use="no", public_release_consent="no")
    expect(page.locator("#scope-refusal-hint")).to_be_visible()
    _continue(page)
    warning = page.locator("#scope-refusal-confirm")
    expect(warning).to_contain_text("would close the submission as refused")
    expect(warning).to_contain_text("Nothing is recorded yet")
    expect(warning.get_by_role("link", name=re.compile("ega-archive.org"))).to_be_visible()
    shot(page, output_path, "scope_warning")
    submission = Submission.objects.get(owner__username="rosalind")
    assert submission.state == SubmissionState.DRAFT and not submission.scope_certifications.exists()

    # Back: the answers are as given; with the consent question answered right, the draft is certified.
    page.get_by_role("button", name="← Change my answers").click()
    expect(page.locator('input[name="public_release_consent"][value="no"]')).to_be_checked()
    expect(page.locator('input[name="human_material"][value="no"]')).to_be_checked()
    _answer(page, public_release_consent="yes")
    expect(page.locator("#scope-refusal-hint")).to_be_hidden()
    _continue(page)
    expect(page.get_by_role("heading", name="Step 4: Agreements")).to_be_visible()
    page.get_by_label(re.compile("disclosed to the public")).check()
    page.get_by_label(re.compile("right to submit")).check()
    _continue(page)
    expect(page.get_by_role("heading", name="Step 5: Release date")).to_be_visible()
    page.get_by_label(re.compile("^Release on submission")).check()
    _continue(page)

    # HeLa cells are human material: certify the draft again, as a cell line not linked to a person.
    expect(page.get_by_role("heading", name="Step 6: Review and submit")).to_be_visible()
    steps = page.get_by_role("navigation", name="Steps of the submission")
    steps.get_by_role("link", name=re.compile("Scope")).click()
    page.get_by_role("link", name="Change my answers").click()
    expect(page.get_by_text("You are changing the answers of certification 1")).to_be_visible()
    _answer(page, human_material="yes", identifiable_individual="no", identifying_phenotypic_data="no")
    _answer(page, publication_consent="not_applicable")
    shot(page, output_path, "scope_recertify")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Your answers .*certification 2"))).to_be_visible()
    expect(page.get_by_text("The data is in scope.")).to_be_visible()
    certifications = list(submission.scope_certifications.order_by("number"))
    assert [(c.number, c.answers["human_material"], c.outcome) for c in certifications] == [
        (1, "no", "accepted"),
        (2, "yes", "accepted"),
    ]

    steps.get_by_role("link", name=re.compile("Review and submit")).click()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/submissions/\d+/$"))
    study = Study.objects.get(owner__username="rosalind")
    expect(page.locator("#accession")).to_have_text(study.accession)
    page.get_by_role("link", name=f"Open {study.accession}").click()
    page.wait_for_url(re.compile(rf"/studies/{study.accession}/$"))
    expect(page.get_by_role("heading", name="Mitochondrial fission in HeLa cells")).to_be_visible()
    expect(page.get_by_text(study.accession).first).to_be_visible()
    shot(page, output_path, "scope_accession")
