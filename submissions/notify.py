"""E-mails to submitters about their submissions, sent once the change is committed."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from portal.links import portal_url
from submissions.models import Submission


def submission_notify(*, submission: Submission, template: str, context: dict | None = None) -> None:
    """E-mail the submission's owner `templates/submissions/email/<template>.txt` after the transaction commits.

    The template's first line is the subject. Nothing is sent if the owner has no e-mail address.
    """
    owner = submission.owner
    if not owner.email:
        return
    body = render_to_string(
        f"submissions/email/{template}.txt",
        {
            "submission": submission,
            "study": submission.study,
            "user": owner,
            "portal_name": settings.PORTAL_NAME,
            "portal_url": portal_url(),
            **(context or {}),
        },
    )
    subject, _, text = body.partition("\n")
    transaction.on_commit(lambda: send_mail(subject.strip(), text.lstrip(), settings.DEFAULT_FROM_EMAIL, [owner.email]))
