"""Structured projects' pages: the proposer's (propose, list, detail) and the curators' scoring and decision.

Each view checks access, calls one selector or service and answers; a broken
rule comes back as a form error.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from core.errors import PolicyViolation, policy_error
from curation.pages import admin_context, curator_required
from curation.projects.forms import ProjectDecisionForm, ProjectProposalForm, ProjectScoreForm
from curation.projects.selectors import project_get_visible, projects_of
from curation.projects.services import project_balance, project_decide, project_propose, project_score
from submissions.models import ProjectProposal

# --- The proposer's pages --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def project_propose_view(request):
    form = ProjectProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_propose(actor=request.user, **form.cleaned_data)
        except PolicyViolation as error:
            policy_error(form, error)
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


# --- The curators' scoring and decision (opened from the admin) ----------------------------


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
                policy_error(form, error)
            else:
                messages.success(request, done)
                return redirect("admin:submissions_projectproposal_decide", pk=project.pk)
        status = 400
    context = admin_context(
        request,
        f"Score and decide: {project.name}",
        project=project,
        opts=ProjectProposal._meta,
        balance=project_balance(project),
        score_form=score_form,
        decision_form=decision_form,
    )
    return render(request, "curation/project_decide.html", context, status=status)
