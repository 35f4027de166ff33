"""Curators' actions in the admin: hide, unhide, make obsolete, remove and restore selected studies or files.

Archive's read-only Study and ArchiveFile admins are replaced by subclasses that
add the actions and, on each study's page, its history. Every action asks for a
reason category and a note on its own confirmation page, then calls one service
of `curation.services.actions`; non-curators get 403.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from archive.admin import ArchiveFileAdmin, StudyAdmin
from archive.models import ArchiveFile, ReasonCategory, Study
from core.errors import NotAllowed, PolicyViolation
from curation.admin.audit import CurationEventInline
from curation.services.actions import ACTIONS, curator_check, files_curate, studies_curate

# The confirmation page lists this many of the selected rows, then says how many more.
LISTED_LIMIT = 100


class CuratorActionForm(forms.Form):
    reason_category = forms.ChoiceField(
        label="Reason category",
        choices=[("", "---------"), *ReasonCategory.choices],
        help_text="Shown publicly for obsolete and removed entries; the note is for the audit log.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Why, in a sentence: kept in the audit log with your name and the time.",
    )
    superseded_by = forms.CharField(
        label="Superseded by",
        required=False,
        max_length=32,
        help_text="With the reason “Superseded”: the accession of the entry that replaces this one; "
        "the obsolete entry's page links to it.",
    )

    def __init__(self, *args, superseding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not superseding:  # only a whole study made obsolete names what supersedes it (P-OBSOLETE)
            del self.fields["superseded_by"]


def _confirmed(modeladmin, request, queryset, *, action: str, admin_action: str, apply, superseding: bool = False):
    """Show the confirmation page for `action`; on its confirmed POST run `apply(**reason)`, then go back.

    `superseding` offers the field naming the entry that supersedes the selected studies.

    Return None (back to the list) once done, or the page (again, with errors) otherwise.
    """
    try:
        curator_check(request.user)
    except NotAllowed as refused:
        raise PermissionDenied(refused.message) from None
    spec = ACTIONS[action]
    form = CuratorActionForm(request.POST if "confirm" in request.POST else None, superseding=superseding)
    if form.is_valid():
        try:
            changed = apply(**form.cleaned_data)
        except PolicyViolation as broken:
            form.add_error(broken.field if broken.field in form.fields else None, f"{broken.message} ({broken.rule})")
        else:
            modeladmin.message_user(request, f"{changed} {spec.done}.", messages.SUCCESS)
            return None
    opts = modeladmin.model._meta
    count = queryset.count()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"{spec.verb}: {count} {opts.verbose_name if count == 1 else opts.verbose_name_plural}",
        "opts": opts,
        "spec": spec,
        "admin_action": admin_action,
        "form": form,
        "listed": queryset[:LISTED_LIMIT],
        "unlisted": max(0, count - LISTED_LIMIT),
        "selected_ids": queryset.values_list("pk", flat=True),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "curation/admin/confirm_action.html", context)


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def _study_action(action: str):
    def run(modeladmin, request, queryset):
        def apply(**reason):
            studies = studies_curate(actor=request.user, action=action, studies=queryset.order_by("number"), **reason)
            return _plural(len(studies), "study", "studies")

        return _confirmed(
            modeladmin,
            request,
            queryset,
            action=action,
            admin_action=run.__name__,
            apply=apply,
            superseding=action == "obsolete",
        )

    run.__name__ = f"{action}_studies"
    return admin.action(description=f"{ACTIONS[action].verb} selected studies…")(run)


def _file_action(action: str):
    def run(modeladmin, request, queryset):
        def apply(**reason):
            return _plural(files_curate(actor=request.user, action=action, files=queryset, **reason), "file", "files")

        return _confirmed(modeladmin, request, queryset, action=action, admin_action=run.__name__, apply=apply)

    run.__name__ = f"{action}_files"
    return admin.action(description=f"{ACTIONS[action].verb} selected files…")(run)


admin.site.unregister(Study)
admin.site.unregister(ArchiveFile)


@admin.register(Study)
class CuratedStudyAdmin(StudyAdmin):
    actions = [_study_action(name) for name in ACTIONS]
    inlines = [*StudyAdmin.inlines, CurationEventInline]


@admin.register(ArchiveFile)
class CuratedArchiveFileAdmin(ArchiveFileAdmin):
    actions = [_file_action(name) for name, spec in ACTIONS.items() if spec.file_status is not None]
