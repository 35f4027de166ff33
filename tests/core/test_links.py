"""Absolute links to the portal (core/links.py): `PORTAL_URL` when set, else the host of the request being
answered, else the one-machine address; and `make demo` runs on, and links to, the port in `PORT`."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.http import HttpResponse
from django.test import RequestFactory

from archive.services.release import _study_mail_send
from core.links import LOCAL_PORTAL_URL, RequestOriginMiddleware, portal_url
from tests.factories import make_study

pytestmark = pytest.mark.django_db


def _answer(host: str, build, secure: bool = False):
    """Answer one request to `host` through the middleware, building the body with `build()`."""
    request = RequestFactory().get("/", HTTP_HOST=host, secure=secure)
    return RequestOriginMiddleware(lambda request: HttpResponse(build()))(request).content.decode()


def test_portal_url_follows_the_setting_even_during_a_request(settings):
    settings.PORTAL_URL = "https://archive.example.org/"
    settings.ALLOWED_HOSTS = ["*"]

    assert portal_url("/studies/") == "https://archive.example.org/studies/"
    assert _answer("127.0.0.1:8123", lambda: portal_url("/studies/")) == "https://archive.example.org/studies/"


def test_portal_url_unset_uses_the_request_host_then_the_local_address(settings):
    settings.PORTAL_URL = ""
    settings.ALLOWED_HOSTS = ["*"]

    assert _answer("127.0.0.1:8123", lambda: portal_url("/studies/")) == "http://127.0.0.1:8123/studies/"
    assert _answer("archive.example.org", portal_url, secure=True) == "https://archive.example.org"
    # A job (no request) once the request is over: the one-machine address.
    assert portal_url("/uploads/") == f"{LOCAL_PORTAL_URL}/uploads/" == "http://127.0.0.1:8000/uploads/"


def test_an_email_built_while_answering_a_request_links_to_its_host(settings):
    settings.PORTAL_URL = ""
    settings.ALLOWED_HOSTS = ["*"]
    study = make_study()

    _answer("127.0.0.1:8123", lambda: _study_mail_send(study_pk=study.pk, template="released") or "")

    [message] = mail.outbox
    assert f"http://127.0.0.1:8123/studies/{study.accession}/" in message.body


def _make_demo(*args: str) -> str:
    environment = {key: value for key, value in os.environ.items() if key not in ("PORT", "MAKEFLAGS")}
    answer = subprocess.run(
        ["make", "-n", "demo", *args],
        cwd=Path(django_settings.BASE_DIR),
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return answer.stdout


@pytest.mark.parametrize(("args", "port"), [((), "8000"), (("PORT=8123",), "8123")], ids=["default", "PORT"])
def test_make_demo_runs_on_and_links_to_the_port_in_port(args, port):
    commands = _make_demo(*args)

    [runserver] = [line for line in commands.splitlines() if "manage.py runserver" in line]
    assert f"runserver 127.0.0.1:{port} " in runserver
    assert f"PORTAL_URL=http://127.0.0.1:{port} " in runserver
    # seed_demo prints the address and qcluster's e-mails link to it: both run with the same PORTAL_URL.
    for command in ("seed_demo", "qcluster"):
        [line] = [line for line in commands.splitlines() if f"manage.py {command}" in line]
        assert f"PORTAL_URL=http://127.0.0.1:{port} " in line, line
    assert re.search(rf"echo .*http://127\.0\.0\.1:{port}\b", commands)
