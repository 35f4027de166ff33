"""E-mails sent once a change is committed (floor 0: any app may send through it)."""

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def after_commit(send: Callable[[], object], *, about: str) -> None:
    """Call `send` (it sends an e-mail) once the transaction commits; log its failure, naming `about`, never raise it.

    The change the e-mail tells of is done by then, so a failure to send (an
    address or subject no mail header takes, a mail server down) must not turn
    it into an error: a request answers what was committed, a job goes on.
    """
    transaction.on_commit(functools.partial(_send_logged, send, about=about))


def _send_logged(send: Callable[[], object], *, about: str) -> None:
    try:
        send()
    except Exception:  # whatever the backend raises, the committed change stands
        logger.exception("The e-mail about %s could not be sent", about)


def mail_on_commit(*, to: str, template: str, context: dict, about: str) -> None:
    """E-mail `to` the rendered `template` once the transaction commits (see `after_commit`).

    The template's first line is the subject; `about` (e.g. "submission 12") names what a failure is logged for.
    """
    subject, _, body = render_to_string(template, context).partition("\n")
    send = functools.partial(send_mail, subject.strip(), body.lstrip(), settings.DEFAULT_FROM_EMAIL, [to])
    after_commit(send, about=f"{about} ({template})")
