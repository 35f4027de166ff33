"""core.mail is the project's one e-mail sender: one subject convention, one sender address, failures logged."""

import ast
import logging
from pathlib import Path

import pytest
from django.core import mail

from core.mail import mail_render, mails_send

PROJECT = Path(__file__).resolve().parents[2]
MAIL_MODULES = {"django.core.mail", "django.core.mail.message"}


def _project_modules():
    for path in PROJECT.rglob("*.py"):
        parts = path.relative_to(PROJECT).parts
        if parts[0] not in {".venv", "tests", "node_modules"} and "migrations" not in parts:
            yield path


def test_no_module_but_core_mail_imports_django_mail():
    importers = []
    for path in _project_modules():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = [node.module] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            if MAIL_MODULES.intersection(names):
                importers.append(str(path.relative_to(PROJECT)))
    assert importers == ["core/mail.py"]


def test_an_e_mail_has_the_portal_subject_prefix_the_sender_address_and_its_html(settings, submitter):
    settings.PORTAL_NAME, settings.DEFAULT_FROM_EMAIL = "Test archive", "archive@example.org"
    message = mail_render(
        to=[submitter.email],
        template="uploads/email/warning.txt",
        html_template="uploads/email/warning.html",
        context={"user": submitter, "first": {"days": 14, "count": 0}, "second": {"days": 2, "count": 1}},
    )
    assert message.subject == "[Test archive] Files in your upload area will be deleted within 2 days"
    assert message.from_email == "archive@example.org" and message.to == [submitter.email]
    assert message.body.startswith("Hello ")
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f"<title>{message.subject}</title>" in html


@pytest.mark.django_db
def test_one_undeliverable_address_holds_back_no_other_e_mail_of_a_batch(submitter, caplog):
    context = {"user": submitter, "first": {"days": 14, "count": 1}, "second": {"days": 2, "count": 0}}
    addresses = ["ada@example.org", "ada@example.org\rBcc: eve@example.org", "bob@example.org"]
    messages = [mail_render(to=[to], template="uploads/email/warning.txt", context=context) for to in addresses]
    with caplog.at_level(logging.ERROR, logger="core.mail"):
        mails_send(messages, about="an upload warning")
    assert [message.to for message in mail.outbox] == [["ada@example.org"], ["bob@example.org"]]
    assert "The e-mail about an upload warning to ada@example.org\rBcc: eve@example.org could not be sent" in [
        record.getMessage() for record in caplog.records
    ]
