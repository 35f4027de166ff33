"""Imports of brokered datasets in the admin (P-LICENCE): the imported studies, and a form to upload a manifest."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from core.errors import PolicyViolation
from core.json_input import json_parse
from curation.admin.base import CuratorsReadOnlyAdmin
from curation.models import ImportedStudy
from curation.pages import curator_required
from curation.services.import_manifest import ManifestRefused
from curation.services.imports import study_import

MAX_MANIFEST_BYTES = 20 * 1024 * 1024


class ManifestForm(forms.Form):
    manifest = forms.FileField(
        label="Manifest (JSON)",
        help_text=(
            "metadata, source, source_id, licence (SPDX id), release_date, owner (optional: you by default) and "
            "files [{path, size, sha256, location}]; locations are absolute paths under IMPORT_LOCAL_ROOTS or "
            "s3://bucket/key."
        ),
    )

    def clean_manifest(self) -> dict:
        upload = self.cleaned_data["manifest"]
        if upload.size > MAX_MANIFEST_BYTES:
            raise forms.ValidationError(f"A manifest may be at most {MAX_MANIFEST_BYTES // 1024**2} MB.")
        try:
            data = json_parse(upload.read())
        except ValueError as error:
            raise forms.ValidationError(f"This is not a JSON file: {error}") from None
        if not isinstance(data, dict):
            raise forms.ValidationError("The manifest must be one JSON object.")
        return data


@admin.register(ImportedStudy)
class ImportedStudyAdmin(CuratorsReadOnlyAdmin, admin.ModelAdmin):
    """Studies that came from another resource, with their licence; importing goes through the form."""

    change_list_template = "curation/import_change_list.html"
    list_display = ["accession", "title", "source", "source_id", "licence", "status", "release_date", "files_count"]
    list_filter = ["source", "licence", "status"]
    list_select_related = ["licence"]
    search_fields = ["=accession", "=source_id", "title"]
    fields = ["accession", "title", "source", "source_id", "licence", "owner", "status", "release_date", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(source="")

    def get_urls(self):
        return [
            path(
                "import/",
                csrf_protect(never_cache(curator_required(self.import_view))),
                name="curation_importedstudy_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a manifest; show every problem of a refused one, or go to the imported study."""
        form = ManifestForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                result = study_import(actor=request.user, manifest=form.cleaned_data["manifest"])
            except ManifestRefused as refused:
                problems = refused.problems
                form.add_error(None, refused.message)
            except PolicyViolation as broken:
                form.add_error(None, f"{broken.message} ({broken.rule})")
            else:
                study, version = result.study, result.version
                done = "Imported as" if result.created else "Re-imported as a new version of"
                self.message_user(
                    request,
                    f"{done} {study.accession} (version {version.number}, {study.licence.spdx_id}).",
                    messages.SUCCESS,
                )
                return redirect("admin:archive_study_change", study.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a dataset from a manifest",
            "opts": self.model._meta,
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "curation/import_form.html", context, status=400 if form.errors else 200)
