"""The owner's controls on the accession page: reviewer links, collaborators and the release date (docs/design.md §2).

They are for the study's owner and curators only; anyone else gets 404, even on a
public study, so the controls reveal nothing. Each view is POST-only (a GET is 405
for everyone), calls one service and goes back to the section of the study page it
acted on, with a message shown in that section; a refused form is shown again on the
study page with the refusal next to its field, which has the focus, so the browser
opens the answer there.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from archive.forms import CollaboratorForm, ReleaseNowForm, ReviewerLinkForm
from archive.models import Study, StudyStatus
from archive.selectors.visibility import (
    StudyGone,
    StudyNotFound,
    reviewer_link_get,
    study_get_managed,
)
from archive.services import access
from archive.services.release import study_release_date_change
from archive.views.study_page import CREATED_LINK_KEY, owner_section_tags, release_form, study_page_response
from core.errors import PolicyViolation, policy_error


def _managed(request, accession: str) -> Study:
    try:
        return study_get_managed(request.user, accession)
    except (StudyNotFound, StudyGone):
        raise Http404("No such study of yours.") from None


def _back(request, study: Study, section: str, text: str, level: int = messages.SUCCESS):
    """Go back to the section of the study page acted on, saying `text` there."""
    messages.add_message(request, level, text, extra_tags=owner_section_tags(section))
    return redirect(reverse("study-detail", args=[study.accession]) + f"#{section}")


def _refused(request, study: Study, **forms):
    """Show the study page again with the refused form, focused where it went wrong.

    The browser scrolls an autofocused element into view; its first field in error, else its error summary.
    """
    for form in forms.values():
        first = next((name for name in form.errors if name in form.fields), None)
        if first is None:
            form.focus_error_summary = True  # includes/form_errors.html
        else:
            form.fields[first].widget.attrs["autofocus"] = True
    return study_page_response(request, study.accession, owner_forms=forms)


@require_POST  # outermost: a GET is 405 for everyone, signed in or not, and reveals nothing
def reviewer_link_create(request, accession: str):
    study = _managed(request, accession)
    form = ReviewerLinkForm(request.POST)
    if form.is_valid():
        try:
            link, token = access.reviewer_link_create(study=study, actor=request.user, **form.link())
        except PolicyViolation as error:
            policy_error(form, error)
        else:
            url = request.build_absolute_uri(reverse("review", args=[token]))
            request.session[CREATED_LINK_KEY] = {"accession": study.accession, "id": link.pk, "url": url}
            return _back(request, study, "reviewer-links", "Reviewer link created. Copy it now: it is shown only once.")
    return _refused(request, study, link=form)


@require_POST  # outermost: a GET is 405 for everyone, signed in or not, and reveals nothing
def reviewer_link_revoke(request, accession: str, link_id: int):
    study = _managed(request, accession)
    try:
        link = reviewer_link_get(study=study, actor=request.user, link_id=link_id)
    except StudyNotFound:
        raise Http404("No such reviewer link.") from None
    access.reviewer_link_revoke(link=link, actor=request.user)
    return _back(request, study, "reviewer-links", "The reviewer link is revoked: it no longer opens the study.")


@require_POST  # outermost: a GET is 405 for everyone, signed in or not, and reveals nothing
def collaborator_invite(request, accession: str):
    study = _managed(request, accession)
    form = CollaboratorForm(request.POST)
    if form.is_valid():
        try:
            access.study_collaborator_invite(
                study=study, actor=request.user, username_or_email=form.cleaned_data["user"]
            )
        except PolicyViolation as error:
            policy_error(form, error)
        else:
            return _back(request, study, "collaborators", access.COLLABORATOR_INVITE_ANSWER)
    return _refused(request, study, collaborator=form)


@require_POST  # outermost: a GET is 405 for everyone, signed in or not, and reveals nothing
def collaborator_remove(request, accession: str, username: str):
    study = _managed(request, accession)
    try:
        access.study_collaborator_remove(study=study, actor=request.user, username=username)
    except PolicyViolation as error:  # removed already, e.g. from another tab
        return _back(request, study, "collaborators", error.message, messages.ERROR)
    return _back(request, study, "collaborators", f"{username} can no longer see this study.")


def _change_date(request, study: Study, **change):
    """Call the release-date service with `change` and go back saying what changed; a refusal propagates."""
    study = study_release_date_change(study=study, actor=request.user, **change)
    if study.status == StudyStatus.RELEASED:
        text = f"{study.accession} is released: it is public from now on."
    else:
        text = f"The release date is now {study.release_date:%-d %B %Y}."
    return _back(request, study, "release-date", text)


@require_POST  # outermost: a GET is 405 for everyone, signed in or not, and reveals nothing
def release_date_change(request, accession: str):
    study = _managed(request, accession)
    form = release_form(request, study, data=request.POST)
    if form.is_valid():
        try:
            return _change_date(
                request,
                study,
                release_date=form.cleaned_data["release_date"],
                reason=form.cleaned_data.get("reason", ""),
            )
        except PolicyViolation as error:
            policy_error(form, error)
    return _refused(request, study, release=form)


@require_POST  # outermost: a GET is 405 for everyone, signed in or not, and reveals nothing
def release_now(request, accession: str):
    study = _managed(request, accession)
    form = ReleaseNowForm(request.POST)
    if form.is_valid():
        try:
            # Today's date is what P-RELEASE-DATE calls "released at once".
            return _change_date(request, study, release_date=timezone.localdate())
        except PolicyViolation as error:
            policy_error(form, error)
    return _refused(request, study, release_now=form)
