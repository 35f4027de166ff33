"""The review queue's pages: the submissions waiting for a curator, and one submission's decision.

Each view checks access, calls one selector or service and answers; a broken
rule comes back as a form error.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from archive.views.thumbnails import thumbnail_response
from core.errors import PolicyViolation, policy_error
from curation.pages import admin_context, curator_required
from curation.review.forms import ReviewAcceptForm, ReviewChangesForm, ReviewRefuseForm
from curation.review.selectors import (
    review_entry_get,
    review_file_get,
    review_files_page,
    review_queue,
    review_reason_labels,
    scope_answers_shown,
)
from curation.review.services import (
    review_file_thumbnail,
    submission_changes_request,
    submission_refuse,
    submission_review_accept,
)

QUEUE_PER_PAGE = 50
FILES_PER_PAGE = 50


@curator_required
@require_safe
def review_queue_list(request):
    page = Paginator(review_queue(), QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    entries = [{"submission": s, "reasons": review_reason_labels(s)} for s in page.object_list]
    return render(
        request,
        "curation/review_queue.html",
        admin_context(request, "Review queue", page_obj=page, entries=entries),
    )


REVIEW_DECISIONS = {
    "accept": (ReviewAcceptForm, submission_review_accept, "accepted: its files are being moved into the archive"),
    "changes": (ReviewChangesForm, submission_changes_request, "returned to the submitter for changes"),
    "refuse": (ReviewRefuseForm, submission_refuse, "refused"),
}


@curator_required
@require_http_methods(["GET", "POST"])
def review_detail(request, pk: int):
    """Show one submission in review and take the curator's decision (accept, request changes, refuse)."""
    submission = review_entry_get(pk=pk)
    forms = {
        name: form_class(prefix=name, submission=submission) for name, (form_class, _, _) in REVIEW_DECISIONS.items()
    }
    status = 200
    decision = request.POST.get("decision")
    if request.method == "POST" and decision in REVIEW_DECISIONS:
        form_class, service, done = REVIEW_DECISIONS[decision]
        form = forms[decision] = form_class(request.POST, prefix=decision, submission=submission)
        if form.is_valid():
            try:
                service(submission=submission, actor=request.user, **form.cleaned_data)
            except PolicyViolation as error:
                policy_error(form, error)
            else:
                messages.success(
                    request, f"Submission {submission.pk} “{submission.metadata.get('title', '')}” {done}."
                )
                return redirect("curation:review_queue")
        status = 400
    files = review_files_page(submission=submission, page=_page_number(request), per_page=FILES_PER_PAGE)
    context = admin_context(
        request,
        f"Review submission {submission.pk}",
        submission=submission,
        reasons=review_reason_labels(submission),
        scope_answers=scope_answers_shown(submission),
        forms=forms,
        today=timezone.localdate(),
        files_page=Paginator(files, FILES_PER_PAGE).page(files.start // FILES_PER_PAGE + 1),
    )
    return render(request, "curation/review_detail.html", context, status=status)


def _page_number(request) -> int:
    """The page of files asked for; anything but a number is the first page, as Paginator.get_page reads it."""
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        return 1


@curator_required
@require_safe
def review_file_thumbnail_view(request, pk: int, file_pk: int):
    """Answer the PNG thumbnail of an image file of a submission in review; 404 when it has none."""
    thumbnail = review_file_thumbnail(submission_file=review_file_get(pk=pk, file_pk=file_pk), actor=request.user)
    if thumbnail is None:
        raise Http404("This file has no thumbnail.")
    return thumbnail_response(request, thumbnail, cache_control="private, no-cache")
