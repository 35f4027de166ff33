"""Read side of the review queue: the submissions waiting for a curator and what their page shows."""

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from archive.models import Thumbnail
from archive.selectors.paging import CountedPage, page_window
from archive.thumbnails import IMAGE_EXTENSIONS
from submissions import scope
from submissions.models import ReviewReason, Submission, SubmissionFile, SubmissionState


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


def review_files_page(*, submission: Submission, page: int, per_page: int) -> CountedPage:
    """Return one page of the files of a submission from `review_entry_get`, in path order (past the end: the last).

    Each file says whether it `is_image` and its content's `thumbnail_status` (None
    while none was tried). The total is the entry's own `files_total`, so a page
    reads only its rows, along the (submission, path) unique index: no count over
    a window of every file, which a submission of 100,000 files would make slow.
    """
    last_page = max(1, -(-submission.files_total // per_page))
    start, stop = page_window(min(page, last_page), per_page)
    thumbnail_status = Thumbnail.objects.filter(sha256=OuterRef("sha256")).values("status")[:1]
    files = (
        submission.files.order_by("path")
        .only("path", "size", "sha256", "submission_id")
        .annotate(thumbnail_status=Subquery(thumbnail_status))
    )
    rows = list(files[start:stop])
    for file in rows:
        file.is_image = file.path.lower().endswith(IMAGE_EXTENSIONS)
    return CountedPage(rows, total=submission.files_total, start=start)


def review_file_get(*, pk: int, file_pk: int) -> SubmissionFile:
    """Return one file of a submission waiting in review, or raise Http404."""
    try:
        return SubmissionFile.objects.select_related("upload_file").get(
            pk=file_pk, submission_id=pk, submission__state=SubmissionState.IN_REVIEW
        )
    except SubmissionFile.DoesNotExist:
        raise Http404("No such file of a submission waiting for review.") from None
