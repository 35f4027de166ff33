"""Read side of submissions."""

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from submissions import scope
from submissions.models import Submission, SubmissionFileState


def scope_form_get() -> dict:
    """Return the current scope form as the portal shows it: version and questions with their choices."""
    return {
        "version": scope.SCOPE_FORM_VERSION,
        "questions": [
            {"id": question.id, "text": question.text, "choices": list(question.choices)}
            for question in scope.QUESTIONS
        ],
    }


def submission_move_progress(*, submission: Submission) -> dict:
    """How far the move of a submission's files into the archive has gone (files and bytes), for the study page."""
    done = Q(state=SubmissionFileState.DONE)
    return submission.files.aggregate(
        done=Count("pk", filter=done),
        total=Count("pk"),
        bytes_done=Coalesce(Sum("size", filter=done), 0),
        bytes_total=Coalesce(Sum("size"), 0),
    )


def submissions_of(owner) -> QuerySet[Submission]:
    """Return `owner`'s submissions, newest first; nobody else's are ever listed or opened through it."""
    if not owner.is_authenticated:
        return Submission.objects.none()
    return Submission.objects.filter(owner=owner).select_related("study", "scope_certification", "disclosure")
