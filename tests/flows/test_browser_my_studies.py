"""'My studies' in a real browser: signing in lands on it; a new user's empty list says what to do next."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from archive.services.access import study_collaborator_add
from tests.factories import UserFactory, make_study

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # the factories' password


def test_signing_in_lands_on_my_studies_with_status_release_date_and_actions(live_server, page, output_path):
    owner = UserFactory(username="ada")
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    release = timezone.localdate() + datetime.timedelta(days=95)
    confidential = make_study(owner=owner, status="confidential", title="Embargoed organoids", release_date=release)
    make_study(owner=owner, title="Mitochondria in motion")
    shared = make_study(owner=UserFactory(username="grace"), status="confidential", title="Atlas shared with Ada")
    study_collaborator_add(study=shared, user=owner, actor=shared.owner)

    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Login").fill(owner.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    page.wait_for_url(re.compile(r"/my/studies/$"))
    expect(page.get_by_role("heading", name="My studies")).to_be_visible()
    expect(page.get_by_role("link", name="My studies")).to_have_attribute("aria-current", "page")
    row = page.get_by_role("row", name=re.compile(confidential.accession))
    expect(row.get_by_text("Confidential")).to_be_visible()
    expect(row.get_by_text("in 3 months")).to_be_visible()
    expect(
        page.get_by_role("row", name=re.compile("Atlas shared with Ada")).get_by_text("Shared with you")
    ).to_be_visible()
    page.screenshot(path=f"{output_path}/1-my-studies.png", full_page=True)

    row.get_by_role("link", name=f"Manage sharing of {confidential.accession}").click()
    page.wait_for_url(re.compile(rf"/studies/{confidential.accession}/#collaborators$"))
    expect(page.get_by_role("heading", name="Collaborators")).to_be_visible()


def test_a_new_user_sees_what_to_do_next(live_server, page, sign_in, output_path):
    sign_in(page, UserFactory(username="newcomer"))

    page.goto(live_server.url + reverse("my-studies"))

    expect(page.get_by_role("heading", name="You have no studies yet")).to_be_visible()
    page.get_by_role("link", name="Upload your files").click()
    page.wait_for_url(re.compile(r"/uploads/$"))
    page.go_back()
    page.screenshot(path=f"{output_path}/2-empty.png", full_page=True)
