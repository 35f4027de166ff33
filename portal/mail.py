"""E-mails sent once a change is committed (floor 0: any app may send through it)."""

import functools
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def mail_on_commit(*, to: str, template: str, context: dict, about: str) -> None:
    """E-mail `to` the rendered `template` once the transaction commits; the template's first line is the subject.

    The change the e-mail tells of is done by then, so a failure to send (an
    address or subject no mail header takes, a mail server down) is logged
    with `about` (e.g. "submission 12") and never raised: the caller's answer
    reflects what was committed.
    """
    subject, _, body = render_to_string(template, context).partition("\n")
    transaction.on_commit(
        functools.partial(_send, to=to, subject=subject.strip(), body=body.lstrip(), template=template, about=about)
    )


def _send(*, to: str, subject: str, body: str, template: str, about: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:  # whatever the backend raises, the committed change stands
        logger.exception("The e-mail %s about %s could not be sent", template, about)
