"""Sign-up, verification, log-in, log-out and password reset through django-allauth (docs/design.md §1)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase for the archive"


def _link_in(message, path_prefix: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}\S+)", message.body)
    assert match, message.body
    return match.group(1)


def _sign_up(client: Client, username: str = "ada", email: str = "ada@example.org"):
    return client.post(
        reverse("account_signup"),
        {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def _logged_in_user_id(client: Client):
    return client.session.get("_auth_user_id")


def _log_in(client: Client, login: str, password: str = PASSWORD):
    # An explicit next keeps these tests independent of the home page.
    return client.post(f"{reverse('account_login')}?next=/account/profile/", {"login": login, "password": password})


def _verified_user(username: str = "grace"):
    user = UserFactory(username=username)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@pytest.mark.django_db
def test_sign_up_sends_a_verification_email_and_does_not_log_in():
    client = Client()
    response = _sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(username="ada")
    assert user.email == "ada@example.org"
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.org"]
    assert mail.outbox[0].subject.startswith(f"[{settings.PORTAL_NAME}] ")  # the one convention of core.mail
    assert mail.outbox[0].from_email == settings.DEFAULT_FROM_EMAIL
    assert _link_in(mail.outbox[0], "/accounts/confirm-email/")
    assert _logged_in_user_id(client) is None


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["ada", "ada@example.org"])
def test_unverified_user_cannot_log_in_by_username_or_email(login):
    _sign_up(Client())

    client = Client()
    response = _log_in(client, login)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert _logged_in_user_id(client) is None


@pytest.mark.django_db
def test_following_the_verification_link_verifies_the_address_and_allows_log_in():
    _sign_up(Client())
    confirm_path = _link_in(mail.outbox[0], "/accounts/confirm-email/")
    client = Client()

    page = client.get(confirm_path)
    assert page.status_code == 200
    assert b"ada@example.org" in page.content
    assert EmailAddress.objects.get(email="ada@example.org").verified is False

    response = client.post(confirm_path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="ada@example.org").verified is True

    response = _log_in(client, "ada")
    assert response.status_code == 302
    assert response["Location"] == "/account/profile/"
    assert int(_logged_in_user_id(client)) == get_user_model().objects.get(username="ada").pk


@pytest.mark.django_db
def test_a_wrong_verification_key_verifies_nothing():
    _sign_up(Client())
    client = Client()

    page = client.get(reverse("account_confirm_email", args=["not-a-real-key"]))
    response = client.post(reverse("account_confirm_email", args=["not-a-real-key"]))

    assert page.status_code == 200
    assert page.context["confirmation"] is None
    assert response.status_code == 404
    assert EmailAddress.objects.get(email="ada@example.org").verified is False


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_sets_a_new_password():
    user = _verified_user()
    client = Client()

    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    reset_path = _link_in(mail.outbox[0], "/accounts/password/reset/key/")

    # As with Django's own view, the key moves into the session and the page redirects.
    response = client.get(reset_path)
    assert response.status_code == 302
    set_password_path = response["Location"]
    page = client.get(set_password_path)
    assert page.status_code == 200
    response = client.post(set_password_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    assert _log_in(Client(), user.username, NEW_PASSWORD)["Location"] == "/account/profile/"


@pytest.mark.django_db
def test_password_reset_link_cannot_be_used_twice():
    user = _verified_user()
    client = Client()
    client.post(reverse("account_reset_password"), {"email": user.email})
    reset_path = _link_in(mail.outbox[0], "/accounts/password/reset/key/")
    set_password_path = client.get(reset_path)["Location"]
    client.post(set_password_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = Client()
    response = again.get(reset_path, follow=True)
    assert response.status_code == 200
    assert response.context["token_fail"] is True
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_log_out_needs_a_post():
    user = _verified_user()
    client = Client()
    client.force_login(user)

    page = client.get(reverse("account_logout"))
    assert page.status_code == 200
    assert int(_logged_in_user_id(client)) == user.pk

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert _logged_in_user_id(client) is None
