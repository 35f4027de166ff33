"""Log-in throttling and cached search hold across two real gunicorn workers (the portal's shared state)."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory, make_curator, make_study
from tests.flows.two_workers import served_portal

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"


@pytest.fixture
def portal(settings, tmp_path):
    with served_portal(tmp_path / "var", settings.SECRET_KEY) as served:
        yield served


def test_login_throttle_lock_holds_on_both_workers_after_failures_spread_over_them(settings, portal):
    # A hasher the served portal knows, with few rounds: each failure checks the password.
    user = UserFactory(username="grace", email="grace@example.org")
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "throttle-test", iterations=1000)
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    csrf = portal.csrf_token()

    def attempt(password: str):
        return portal.form_post(LOGIN, {"login": "grace", "password": password}, csrf_token=csrf)

    failures = settings.LOGIN_FAILURE_LIMIT - 1
    assert failures % 2 == 0, "failures go to the workers in pairs"
    for _ in range(failures // 2):
        answers = portal.on_two_workers(attempt("not the password"), attempt("not the password"))
        assert [a.status for a in answers] == [200, 200]  # the form again, with its error
    assert len(set(portal.workers_of("POST", LOGIN))) == 2

    assert attempt("not the password").start().finish().status == 429  # the failure that reaches the limit
    locked = portal.on_two_workers(attempt(PASSWORD), attempt(PASSWORD))
    assert [a.status for a in locked] == [429, 429]
    assert all(
        "Too many failed log-ins" in a.text and "sessionid" not in a.headers.get("set-cookie", "") for a in locked
    )
    assert len(set(portal.workers_of("POST", LOGIN)[-2:])) == 2  # refused by each worker


def test_hiding_a_study_through_one_worker_expires_the_cached_search_of_both(portal):
    """P-HIDE: a hidden entry leaves search, counts included, in every worker, not only in the one that hid it."""
    study = make_study(title="Zebrafish fin regeneration")
    token = Token.objects.create(user=make_curator())
    search = "/search/?q=zebrafish"

    found = portal.on_two_workers(portal.request("GET", search), portal.request("GET", search))
    assert all("1 study found" in answer.text for answer in found)  # each worker's answer is now cached

    headers = {"Authorization": f"Token {token.key}", "Content-Type": "application/json"}
    body = json.dumps({"reason_category": "error", "note": "Entered twice."}).encode()
    hide = portal.request("POST", f"/api/v1/curation/studies/{study.accession}/hide/", headers=headers, body=body)
    assert hide.start().finish().status == 200

    after = portal.on_two_workers(portal.request("GET", search), portal.request("GET", search))
    assert all("No studies found" in answer.text for answer in after)
    assert len(set(portal.workers_of("GET", "/search/")[-2:])) == 2
