"""Read side of the review queue: the submissions waiting for a curator and what their page shows."""

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from submissions import scope
from submissions.models import ReviewReason, Submission, SubmissionState


def review_queue() -> QuerySet[Submission]:
    """Return the submissions waiting for a curator, oldest first, with what the queue page shows."""
    return (
        Submission.objects.filter(state=SubmissionState.IN_REVIEW)
        .select_related("owner", "project")
        .prefetch_related("scope_certifications")
        .annotate(files_total=Count("files"), bytes_total=Coalesce(Sum("files__size"), 0))
        .order_by("submitted_at", "pk")
    )


def review_entry_get(*, pk: int) -> Submission:
    """Return one submission waiting in review, or raise Http404."""
    try:
        return review_queue().get(pk=pk)
    except Submission.DoesNotExist:
        raise Http404("No such submission waiting for review.") from None


def review_reason_labels(submission: Submission) -> list[str]:
    """Say in words why a submission waits for a curator."""
    return [ReviewReason(value).label if value in ReviewReason.values else value for value in submission.review_reasons]


def scope_answers_shown(submission: Submission) -> list[dict]:
    """Pair each scope question with the submitter's answer, in the form's order (empty when not certified)."""
    certification = submission.scope_certification_in_force
    if certification is None:
        return []
    return [
        {"id": question.id, "text": question.text, "answer": certification.answers.get(question.id, "")}
        for question in scope.QUESTIONS
    ]
