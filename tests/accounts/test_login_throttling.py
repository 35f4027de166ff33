"""Log-in throttling: after LOGIN_FAILURE_LIMIT failures for one account from one address, every log-in
form refuses that account from that address for LOGIN_LOCKOUT_MINUTES, the right password included.

The two-gunicorn-worker proof that the lock holds across processes is tests/flows/test_two_workers_shared_state.py.
"""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOCKED = "Too many failed log-ins"


def _allauth_login(client: Client, login: str, password: str):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def _admin_login(client: Client, username: str, password: str):
    return client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"})


def _fail(log_in, client: Client, login: str, times: int) -> None:
    for _ in range(times):
        log_in(client, login, "not the password")


def _signed_in(response) -> bool:
    return "_auth_user_id" in response.wsgi_request.session


def _assert_locked(response) -> None:
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert int(response["Retry-After"]) == settings.LOGIN_LOCKOUT_MINUTES * 60
    assert not _signed_in(response)


def _verified_user(username: str):
    user = UserFactory(username=username, email=f"{username}@example.org")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@pytest.fixture
def owner():
    return _verified_user("grace")


def test_login_throttle_allauth_login_is_refused_after_the_limit_even_with_the_right_password(owner):
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert _allauth_login(client, "grace", "not the password").status_code == 200  # the form, with its error
    _assert_locked(_allauth_login(client, "grace", "not the password"))  # the failure that reaches the limit
    _assert_locked(_allauth_login(client, "grace", PASSWORD))


def test_login_throttle_admin_login_is_refused_after_the_limit_even_with_the_right_password():
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    client = Client()
    _fail(_admin_login, client, "admin", settings.LOGIN_FAILURE_LIMIT - 1)
    _admin_login(client, "admin", "not the password")
    _assert_locked(_admin_login(client, "admin", PASSWORD))


def test_login_throttle_counts_the_account_whether_named_by_username_or_email_in_any_case(owner):
    client = Client()
    logins = ["grace", "GRACE@example.org", "Grace", "grace@example.org", "grace@EXAMPLE.org"]
    for login in logins[: settings.LOGIN_FAILURE_LIMIT]:
        _allauth_login(client, login, "not the password")
    _assert_locked(_admin_login(client, "grace", PASSWORD))  # the same lock on every form


def test_login_throttle_locks_only_that_account_from_that_address(owner):
    _verified_user("other")
    client = Client(REMOTE_ADDR="192.0.2.1")
    _fail(_allauth_login, client, "grace", settings.LOGIN_FAILURE_LIMIT)
    assert _signed_in(_allauth_login(client, "other", PASSWORD))
    assert _signed_in(_allauth_login(Client(REMOTE_ADDR="192.0.2.2"), "grace", PASSWORD))


def test_login_throttle_lock_ends_after_the_lockout_time(owner, time_machine):
    client = Client()
    _fail(_allauth_login, client, "grace", settings.LOGIN_FAILURE_LIMIT)
    _assert_locked(_allauth_login(client, "grace", PASSWORD))
    time_machine.move_to(timezone.now())
    time_machine.shift(datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1))
    assert _signed_in(_allauth_login(client, "grace", PASSWORD))
