"""E-mails to submitters about their submissions, sent once the change is committed."""

from django.conf import settings

from core.links import portal_url
from core.mail import mail_on_commit
from submissions.models import Submission


def submission_notify(*, submission: Submission, template: str, context: dict | None = None) -> None:
    """E-mail the submission's owner `templates/submissions/email/<template>.txt` after the transaction commits.

    The template's first line is the subject (`core.mail`). Nothing is sent if the owner
    has no e-mail address; a failure to send is logged.
    """
    owner = submission.owner
    if not owner.email:
        return
    mail_on_commit(
        to=owner.email,
        template=f"submissions/email/{template}.txt",
        context={
            "submission": submission,
            "study": submission.study,
            "user": owner,
            "release_date_max_years": settings.RELEASE_DATE_MAX_YEARS,
            "portal_url": portal_url(),
            **(context or {}),
        },
        about=f"submission {submission.pk}",
    )
