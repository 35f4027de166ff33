"""The submitter's pages: their submissions, the wizard (one page a step), the status page and new versions.

Every page is the owner's only: anyone else's submission is a 404. Each step
calls the services that hold the rules and shows their refusals as form
errors; a refused change leaves the draft as it was.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from archive.metadata import MetadataInvalid
from archive.release_dates import release_date_bounds
from archive.selectors.visibility import StudyGone, StudyNotFound, study_get_visible
from core.errors import NotAllowed, PolicyViolation, policy_error
from core.keyset import PositionForm
from submissions import forms
from submissions.models import ReviewReason, Submission, SubmissionState
from submissions.review_rules import dicom_screening
from submissions.scope import ScopeRefusalUnconfirmed, ScopeRefused
from submissions.selectors import (
    STEPS,
    projects_accepted_of,
    scope_form_get,
    submission_authors_initial,
    submission_chosen_upload_paths,
    submission_file_choice,
    submission_get_owned,
    submission_is_editable,
    submission_move_progress,
    submission_review_expected,
    submission_scope_refusal,
    submission_step_names,
    submission_steps,
    submissions_listed,
)
from submissions.services import (
    SubmissionNotReady,
    SubmitProblem,
    file_list_report,
    submission_acknowledge,
    submission_certify_scope,
    submission_create_draft,
    submission_file_list_check,
    submission_files_set,
    submission_metadata_update,
    submission_problems,
    submission_project_set,
    submission_release_date_set,
    submission_submit,
    submission_version_start,
)
from uploads.forms import UploadFilesForm

FILES_PER_PAGE = 100


def _owned(request, pk: int) -> Submission:
    try:
        return submission_get_owned(owner=request.user, pk=pk)
    except Submission.DoesNotExist:
        raise Http404("No such submission of yours.") from None


def _step_url(submission: Submission, step: str) -> str:
    return reverse("submissions:step", args=[submission.pk, step])


def _saved(request, submission: Submission, step: str):
    """After a step saved: go to the step the pressed button names (next, back, or this one again)."""
    names = submission_step_names(submission)
    at = names.index(step)
    go = request.POST.get("go")
    if go == "next" and at + 1 < len(names):
        return redirect(_step_url(submission, names[at + 1]))
    if go == "back" and at > 0:
        return redirect(_step_url(submission, names[at - 1]))
    return redirect(request.get_full_path())


def _render(request, submission: Submission, step: str, context: dict, *, status: int = 200):
    names = submission_step_names(submission)
    at = names.index(step)
    context = {
        "submission": submission,
        "steps": submission_steps(submission),
        "step": step,
        "step_label": STEPS[step],
        "step_number": at + 1,
        "has_back": at > 0,
        "has_next": at + 1 < len(names),
        **context,
    }
    return render(request, f"submissions/step_{step}.html", context, status=status)


@login_required
@require_safe
def submission_list(request):
    return render(request, "submissions/list.html", {"submissions": submissions_listed(owner=request.user)})


@require_POST  # outermost: a GET is 405 for everyone, signed in or not, and reveals nothing
@login_required
def submission_new(request):
    submission = submission_create_draft(owner=request.user, metadata={})
    return redirect(_step_url(submission, "metadata"))


@login_required
@require_http_methods(["GET", "POST"])
def step(request, pk: int, step: str):
    submission = _owned(request, pk)
    if step not in submission_step_names(submission):
        raise Http404("No such step.")
    # A refused scope form stays readable on its step; every other closed submission shows its status.
    if not submission_is_editable(submission) and not (step == "scope" and request.method == "GET"):
        return redirect("submissions:detail", submission.pk)
    return STEP_VIEWS[step](request, submission)


def _metadata(request, submission: Submission):
    projects = projects_accepted_of(owner=request.user)
    author_errors: list[str] = []
    if request.method == "POST":
        form = forms.MetadataForm(request.POST, projects=projects)
        authors = forms.AuthorFormSet(request.POST, prefix="authors")
        if form.is_valid() and authors.is_valid():
            try:
                with transaction.atomic():  # the metadata and the project change together or not at all
                    metadata = {**form.metadata(), "authors": authors.authors()}
                    submission = submission_metadata_update(
                        submission=submission, actor=request.user, metadata=metadata
                    )
                    if "project" in form.fields:
                        project = form.cleaned_data["project"]
                        submission_project_set(
                            submission=submission, actor=request.user, project_id=project.pk if project else None
                        )
            except MetadataInvalid as invalid:
                for field, problems in invalid.errors.items():
                    if field in form.fields:
                        form.add_error(field, problems)
                    else:
                        author_errors += problems
            except PolicyViolation as error:
                policy_error(form, error)
            else:
                messages.success(request, _metadata_saved_message(submission))
                if request.POST.get("go") == "add-author":  # without JavaScript: back with a new row in focus
                    return redirect(_step_url(submission, "metadata") + "?add=author")
                return _saved(request, submission, "metadata")
    else:
        form = forms.MetadataForm(
            initial=forms.MetadataForm.initial_from(submission.metadata, submission.project), projects=projects
        )
        authors = forms.AuthorFormSet(
            initial=submission_authors_initial(submission),
            prefix="authors",
            focus_new=request.GET.get("add") == "author",
        )
    status = 400 if form.errors or author_errors or authors.total_error_count() else 200
    return _render(
        request,
        submission,
        "metadata",
        {"form": form, "authors": authors, "author_errors": author_errors},
        status=status,
    )


def _metadata_saved_message(submission: Submission) -> str:
    """Say the step was saved and what of it submitting still needs, with the way to the full list."""
    missing = dict.fromkeys(
        problem.label for problem in submission_problems(submission=submission) if problem.step == "metadata"
    )
    review = _step_url(submission, "review")
    if not missing:
        return format_html(
            'Study details saved: they have everything needed to submit. <a href="{}">Review the submission</a>.',
            review,
        )
    return format_html(
        'Study details saved. Still needed to submit: {}. <a href="{}">See everything still missing</a>.',
        ", ".join(missing),
        review,
    )


def _files(request, submission: Submission):
    listing = UploadFilesForm(request.GET)
    arguments = listing.listing_arguments()
    choice = submission_file_choice(
        submission=submission,
        folder=arguments["folder"],
        position=arguments["position"],
        per_page=FILES_PER_PAGE,
        kept_position=PositionForm(request.GET, prefix="kept").position(),
        folders_page=request.GET.get("folders_page") or 1,
    )
    form = forms.FilesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ids, folders = _ticked(form, submission)
        file_list = form.cleaned_data["file_list"]
        try:
            with transaction.atomic():  # the files and the File List change together or not at all
                submission_files_set(
                    submission=submission,
                    actor=request.user,
                    upload_file_ids=sorted(ids),
                    folders=folders,
                    drop_paths=form.keep_dropped(),
                )
                report = None
                if file_list is not None:
                    report = submission_file_list_check(
                        submission=submission, actor=request.user, name=file_list.name, content=file_list.read()
                    )
        except PolicyViolation as error:
            policy_error(form, error)
        else:
            if report is not None:  # stay to show what the check found
                return _file_list_checked(request, report)
            return _saved(request, submission, "files")
    if form.errors and form.ticks_read():
        # Nothing was saved: show the boxes as the user left them, so that only the problem needs fixing.
        ids, _ = _ticked(form, submission)
        choice = choice.as_ticked(ids=ids, folders=set(form.cleaned_data["folders"]), dropped=form.keep_dropped())
    context = {
        "form": form,
        "listing": listing,
        "choice": choice,
        "page_obj": choice.page,
        "file_list": file_list_report(submission) if submission.file_list else None,
    }
    return _render(request, submission, "files", context, status=400 if form.errors else 200)


def _ticked(form: forms.FilesForm, submission: Submission) -> tuple[set[int], list[str]]:
    """The upload ids and the newly whole folders that the form's ticks choose, given what was chosen before."""
    return form.selection(submission_chosen_upload_paths(submission=submission))


def _file_list_checked(request, report: dict):
    """Show the files step again after a File List check: a success only when no row names a file not chosen."""
    if report["missing"]:
        # Only the problem, where the report says which rows name no chosen file and which path each meant.
        return redirect(request.get_full_path() + "#file-list-report")
    messages.success(
        request, f"Your files are saved and every row of the File List {report['name']} names a chosen file."
    )
    return redirect(request.get_full_path())


def _scope(request, submission: Submission):
    certification = submission.scope_certification_in_force
    scope_form = scope_form_get()
    questions = scope_form["questions"]
    answering = request.method == "POST" and any(question["id"] in request.POST for question in questions)
    changing = submission_is_editable(submission) and request.GET.get("change") == "1"
    if certification is not None and not answering and not changing:
        if request.method == "POST":  # the read-only page's Back and Continue
            return _saved(request, submission, "scope")
        context = {
            "certification": certification,
            "answers": _scope_answers_shown(questions, certification.answers),
            "refusal": submission_scope_refusal(submission),
            "form_version": certification.form_version,
        }
        return _render(request, submission, "scope", context)
    form_class = forms.scope_form_class(questions)
    form = (
        form_class(request.POST) if answering else form_class(initial=certification.answers if certification else None)
    )
    context = {"form": form, "form_version": scope_form["version"], "certification": certification}
    # "Change my answers" on the confirmation page shows the form again with the answers given, recording nothing.
    if answering and form.is_valid() and "revise" not in request.POST:
        try:
            submission_certify_scope(
                submission=submission,
                actor=request.user,
                form_version=scope_form["version"],
                answers=form.cleaned_data,
                confirm_refusal=request.POST.get("confirm_refusal") == "yes",
            )
        except ScopeRefusalUnconfirmed as unconfirmed:  # nothing is recorded: ask before it takes effect
            context |= {
                "pending_refusal": unconfirmed.refusal,
                "answers": _scope_answers_shown(questions, unconfirmed.answers),
            }
            return _render(request, submission, "scope", context, status=409)
        except ScopeRefused:  # the confirmed refusal is on record: its page says why
            return redirect(_step_url(submission, "scope"))
        except PolicyViolation as error:
            policy_error(form, error)
        else:
            return _saved(request, submission, "scope")
    return _render(request, submission, "scope", context, status=400 if form.errors else 200)


def _scope_answers_shown(questions: list[dict], answers: dict) -> list[tuple[str, str]]:
    return [(question["text"], forms.SCOPE_CHOICE_LABELS[answers[question["id"]]]) for question in questions]


def _agreements(request, submission: Submission):
    acknowledgement = getattr(submission, "disclosure", None)
    form = forms.AgreementsForm(request.POST or None)
    if request.method == "POST":
        if acknowledgement is not None:  # made once; nothing to change
            return _saved(request, submission, "agreements")
        if form.is_valid():
            try:
                submission_acknowledge(submission=submission, actor=request.user, **form.cleaned_data)
            except PolicyViolation as error:
                policy_error(form, error)
            else:
                return _saved(request, submission, "agreements")
    context = {"form": form, "acknowledgement": acknowledgement}
    return _render(request, submission, "agreements", context, status=400 if form.errors else 200)


def _release(request, submission: Submission):
    today, latest = release_date_bounds(submitted_at=timezone.now())
    initial = forms.ReleaseForm.initial_from(
        release_date=submission.release_date,
        reason=submission.release_date_reason,
        on_submission=submission.release_on_submission,
    )
    form = forms.ReleaseForm(request.POST or None, initial=initial, today=today, latest=latest)
    if request.method == "POST" and form.is_valid():
        try:
            submission_release_date_set(submission=submission, actor=request.user, **form.release())
        except PolicyViolation as error:
            policy_error(form, error)
        else:
            return _saved(request, submission, "release")
    context = {"form": form, "today": today, "latest": latest}
    return _render(request, submission, "release", context, status=400 if form.errors else 200)


def _review(request, submission: Submission):
    refused: list[SubmitProblem] = []  # what pressing Submit was refused for
    if request.method == "POST":
        try:
            submission = submission_submit(submission=submission, actor=request.user)
        except SubmissionNotReady as error:
            refused = error.problems
        except PolicyViolation as error:
            refused = [SubmitProblem.of(error)]
        else:
            if submission.state == SubmissionState.IN_REVIEW:
                messages.info(request, "Submitted. A curator will review it before it is accessioned.")
            else:
                accession = submission.accession or submission.study.accession
                messages.success(request, f"Submitted: the accession is {accession}.")
            return redirect("submissions:detail", submission.pk)
    # Shown fresh and never saved here: a GET writes nothing, and submitting screens again and keeps the result.
    screening = dicom_screening(submission)
    context = {
        "refused": bool(refused),
        # A GET (and a refused POST) show the same list that `submission_submit` refuses with.
        "problems": refused or submission_problems(submission=submission),
        "screening": screening,
        "metadata": submission.metadata,
        "files": submission_move_progress(submission=submission),
        "file_list": file_list_report(submission) if submission.file_list else None,
        "certification": submission.scope_certification_in_force,
        "acknowledgement": getattr(submission, "disclosure", None),
        "releases_on_submission": submission.release_on_submission,
        "expected_reasons": submission_review_expected(submission, screening=screening),
    }
    return _render(request, submission, "review", context, status=400 if refused else 200)


STEP_VIEWS = {
    "metadata": _metadata,
    "files": _files,
    "scope": _scope,
    "agreements": _agreements,
    "release": _release,
    "review": _review,
}


def _progress(submission: Submission) -> dict:
    progress = submission_move_progress(submission=submission)
    study = submission.study
    finished = submission.state == SubmissionState.ACCEPTED and study is not None
    return {
        **progress,
        "state": submission.state,
        "state_label": submission.get_state_display(),
        "accession": study.accession if study is not None else submission.accession,
        "finished": finished,
        "study_url": reverse("study-detail", args=[study.accession]) if finished else "",
    }


@login_required
@require_safe
def detail(request, pk: int):
    submission = _owned(request, pk)
    context = {
        "submission": submission,
        "progress": _progress(submission),
        "review_reasons": [ReviewReason(reason).label for reason in submission.review_reasons],
        "refusal": submission_scope_refusal(submission),
        "editable": submission_is_editable(submission),
        "first_step": _step_url(submission, "metadata"),
    }
    return render(request, "submissions/detail.html", context)


@login_required
@require_safe
def progress(request, pk: int):
    """The move's progress as JSON, polled by the status page."""
    return JsonResponse(_progress(_owned(request, pk)), headers={"Cache-Control": "no-store"})


@require_POST  # outermost: a GET is 405 for everyone, signed in or not, and reveals nothing
@login_required
def version_start(request, accession: str):
    """Start (or resume) the owner's new version of a study and open it in the wizard."""
    try:
        study = study_get_visible(request.user, accession)
        submission = submission_version_start(study=study, actor=request.user)
    except (StudyNotFound, StudyGone, NotAllowed):
        raise Http404("No such study of yours.") from None
    except PolicyViolation as error:
        messages.error(request, error.message)
        return redirect("study-detail", accession)
    return redirect(_step_url(submission, "metadata"))
