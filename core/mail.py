"""The project's one e-mail sender (floor 0: any app may send through it).

Every e-mail is rendered from a text template whose first line is the subject
and whose rest is the body (an HTML template may add the HTML alternative);
the subject reads "[PORTAL_NAME] <subject>" and the sender is DEFAULT_FROM_EMAIL.
Every template sees `portal_name`; the HTML one also `subject`.
"""

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

Mail = EmailMultiAlternatives  # what `mail_render` builds and `mails_send` sends


def mail_render(*, to: list[str], template: str, context: dict, html_template: str = "") -> Mail:
    """The e-mail to `to` that `template` (and `html_template`, if named) render with `context`, not yet sent."""
    context = {"portal_name": settings.PORTAL_NAME, **context}
    subject, _, body = render_to_string(template, context).partition("\n")
    message = Mail(
        subject=f"[{settings.PORTAL_NAME}] {subject.strip()}",
        body=body.lstrip(),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    if html_template:
        html = render_to_string(html_template, {**context, "subject": message.subject})
        message.attach_alternative(html, "text/html")
    return message


def mail_send(*, to: list[str], template: str, context: dict, html_template: str = "") -> None:
    """Render (see `mail_render`) and send the e-mail now; a failure to send is raised."""
    mail_render(to=to, template=template, context=context, html_template=html_template).send()


def mails_send(messages: list[Mail], *, about: str) -> None:
    """Send `messages` over one connection; log each one that fails, naming `about` and its recipients."""
    with get_connection() as connection:
        for message in messages:
            message.connection = connection
            # One undeliverable address must not hold back everyone else's e-mail.
            _send_logged(message.send, about=f"{about} to {', '.join(message.to)}")


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
    """E-mail `to` the `template` rendered now (see `mail_render`) once the transaction commits (see `after_commit`).

    `about` (e.g. "submission 12") names what a failure is logged for.
    """
    message = mail_render(to=[to], template=template, context=context)
    after_commit(message.send, about=f"{about} ({template})")
