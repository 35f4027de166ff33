"""Curator pages beside the model admin (review queue, project decisions, dashboard) and proposers' project pages.

Each view checks access, calls one selector or service and answers; a broken
rule comes back as a form error.
"""

from functools import wraps

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from core.errors import PolicyViolation
from core.roles import user_is_curator
from curation.dashboard import dashboard_figures
from curation.forms import (
    ProjectDecisionForm,
    ProjectProposalForm,
    ProjectScoreForm,
    ReviewAcceptForm,
    ReviewChangesForm,
    ReviewRefuseForm,
)
from curation.review_selectors import (
    project_get_visible,
    projects_of,
    review_entry_get,
    review_queue,
    review_reason_labels,
    scope_answers_shown,
)
from submissions.models import ProjectProposal
from submissions.services.projects import project_balance, project_decide, project_propose, project_score
from submissions.services.review import submission_changes_request, submission_refuse, submission_review_accept

QUEUE_PER_PAGE = 50


def curator_required(view):
    """Send anonymous callers to log in and answer 403 to signed-in users who are not curators."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not user_is_curator(request.user):
            raise PermissionDenied("Only curators may open this page.")
        return view(request, *args, **kwargs)

    return wrapped


def _admin_context(request, title: str, **context) -> dict:
    """What the admin's own templates need, so curator pages look and navigate like the admin."""
    return {**admin.site.each_context(request), "title": title, **context}


def _form_error(form, error: PolicyViolation) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- Review queue --------------------------------------------------------------------


@curator_required
@require_safe
def review_queue_list(request):
    page = Paginator(review_queue(), QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    entries = [{"submission": s, "reasons": review_reason_labels(s)} for s in page.object_list]
    return render(
        request,
        "curation/review_queue.html",
        _admin_context(request, "Review queue", page_obj=page, entries=entries),
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
    forms = {name: form_class(prefix=name) for name, (form_class, _, _) in REVIEW_DECISIONS.items()}
    status = 200
    decision = request.POST.get("decision")
    if request.method == "POST" and decision in REVIEW_DECISIONS:
        form_class, service, done = REVIEW_DECISIONS[decision]
        form = forms[decision] = form_class(request.POST, prefix=decision)
        if form.is_valid():
            try:
                service(submission=submission, actor=request.user, **form.cleaned_data)
            except PolicyViolation as error:
                _form_error(form, error)
            else:
                messages.success(
                    request, f"Submission {submission.pk} “{submission.metadata.get('title', '')}” {done}."
                )
                return redirect("curation:review_queue")
        status = 400
    context = _admin_context(
        request,
        f"Review submission {submission.pk}",
        submission=submission,
        reasons=review_reason_labels(submission),
        scope_answers=scope_answers_shown(submission),
        forms=forms,
        today=timezone.localdate(),
    )
    return render(request, "curation/review_detail.html", context, status=status)


# --- Structured projects: the proposer's pages -----------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def project_propose_view(request):
    form = ProjectProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_propose(actor=request.user, **form.cleaned_data)
        except PolicyViolation as error:
            _form_error(form, error)
        else:
            messages.success(
                request, "Thank you: your proposal is with the curators, who will e-mail you their decision."
            )
            return redirect("projects:detail", pk=project.pk)
    status = 400 if form.errors else 200
    return render(request, "curation/project_propose.html", {"form": form}, status=status)


@login_required
@require_safe
def project_list(request):
    return render(request, "curation/project_list.html", {"projects": projects_of(user=request.user)})


@login_required
@require_safe
def project_detail(request, pk: int):
    project = project_get_visible(user=request.user, pk=pk)
    return render(request, "curation/project_detail.html", {"project": project})


# --- Structured projects: the curators' scoring and decision (opened from the admin) ---------


@curator_required
@require_http_methods(["GET", "POST"])
def project_decide_view(request, pk: int):
    """Score a proposal's resources and impact, see the balance, and decide it."""
    project = project_get_visible(user=request.user, pk=pk)
    score_form = ProjectScoreForm.for_project(project)
    decision_form = ProjectDecisionForm()
    status = 200
    if request.method == "POST":
        if "score" in request.POST:
            score_form, call = ProjectScoreForm.for_project(project, request.POST), project_score
            form, done = score_form, "Scores saved."
        else:
            decision_form, call = ProjectDecisionForm(request.POST), project_decide
            form, done = decision_form, "Decision saved; the proposer is e-mailed."
        if form.is_valid():
            try:
                call(project=project, actor=request.user, **form.cleaned_data)
            except PolicyViolation as error:
                _form_error(form, error)
            else:
                messages.success(request, done)
                return redirect("admin:submissions_projectproposal_decide", pk=project.pk)
        status = 400
    context = _admin_context(
        request,
        f"Score and decide: {project.name}",
        project=project,
        opts=ProjectProposal._meta,
        balance=project_balance(project),
        score_form=score_form,
        decision_form=decision_form,
    )
    return render(request, "curation/project_decide.html", context, status=status)


# --- Dashboard -------------------------------------------------------------------------


@curator_required
@require_safe
def dashboard(request):
    return render(
        request, "curation/dashboard.html", _admin_context(request, "Curator dashboard", **dashboard_figures())
    )
