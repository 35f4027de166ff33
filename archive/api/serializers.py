"""Output serializers of the read-only archive API (docs/design.md §10.3).

They read only what the views hand them (the study, its licence, the version
and version list passed in the context), so a page of results costs no
per-row queries.
"""

from collections.abc import Callable
from functools import cached_property
from urllib.parse import urlencode

from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from archive.models import ArchiveFile, FileStatus, ReasonCategory, Study, StudyStatus, StudyVersion
from core.links import path_reverser


def absolute_url(request, name: str, query: dict | None = None, **kwargs) -> str:
    """Return the absolute URL of a named route, failing loudly if the route is not defined yet."""
    try:
        url = reverse(name, kwargs=kwargs)
    except NoReverseMatch as exc:
        # A missing page route is a wiring bug; a silent null link would hide it.
        raise ImproperlyConfigured(f"The API links to the URL named “{name}”, which is not routed: {exc}") from exc
    if query:
        url = f"{url}?{urlencode(query)}"
    return request.build_absolute_uri(url)


# Choice sets published as named schema components: several serializers share
# them, and a field named `status` means a study's status in one and a file's in another.
@extend_schema_field(serializers.ChoiceField(choices=StudyStatus.choices), component_name="StudyStatus")
class StudyStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=StudyStatus.choices, **kwargs)


@extend_schema_field(serializers.ChoiceField(choices=FileStatus.choices), component_name="FileStatus")
class FileStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=FileStatus.choices, **kwargs)


@extend_schema_field(serializers.ChoiceField(choices=ReasonCategory.choices), component_name="ReasonCategory")
class ReasonCategoryField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ReasonCategory.choices, **kwargs)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class TombstoneSerializer(serializers.Serializer):
    """What a removed accession still tells everyone: when and why, nothing else (P-REMOVE)."""

    accession = serializers.CharField()
    status = StudyStatusField(help_text="Always `removed`.")
    removed_at = serializers.DateTimeField(source="status_changed_at", allow_null=True)
    reason_category = ReasonCategoryField(source="status_reason")


# Plain serializers with declared fields: a ModelSerializer rebuilds its fields
# from the model on every instance, which costs more than the rest of a detail view.
class StudyListSerializer(serializers.Serializer):
    accession = serializers.CharField()
    title = serializers.CharField()
    status = StudyStatusField()
    licence = serializers.CharField(source="licence.spdx_id", help_text="SPDX identifier (P-LICENCE).")
    release_date = serializers.DateField()
    organism = serializers.CharField()
    imaging_method = serializers.CharField()
    files_count = serializers.IntegerField()
    total_size = serializers.IntegerField(help_text="Bytes.")
    url = serializers.SerializerMethodField(help_text="This study in the API.")
    page_url = serializers.SerializerMethodField(help_text="The study's public page.")
    # Not read-only, so that the schema marks it optional: only curators get it.
    searchable = serializers.BooleanField(
        required=False, help_text="Curators only: false while the entry is hidden from listings (P-HIDE)."
    )

    def get_url(self, study: Study) -> str:
        return absolute_url(self.context["request"], "api-study-detail", accession=study.accession)

    def get_page_url(self, study: Study) -> str:
        return absolute_url(self.context["request"], "study-detail", accession=study.accession)

    def to_representation(self, study: Study) -> dict:
        data = super().to_representation(study)
        if not self.context.get("curator"):
            del data["searchable"]
        return data


class AuthorSerializer(serializers.Serializer):
    name = serializers.CharField()
    orcid = serializers.CharField(required=False)
    affiliation = serializers.CharField(required=False)


VERSION_DOI_HELP = "This version's DOI once DataCite has registered it; null before, and without DataCite settings."


def _version_doi(context: dict, version: StudyVersion) -> str | None:
    return context["dois"].of_version(version.number)


class VersionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    note = serializers.CharField()
    url = serializers.SerializerMethodField()
    doi = serializers.SerializerMethodField(help_text=VERSION_DOI_HELP)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_doi(self, version: StudyVersion) -> str | None:
        return _version_doi(self.context, version)

    def get_url(self, version: StudyVersion) -> str:
        return absolute_url(
            self.context["request"],
            "api-study-version",
            accession=self.context["accession"],
            version=version.number,
        )


class StudyDetailSerializer(StudyListSerializer):
    """A study with its newest version's metadata; context: request, curator, `version`, `versions` and `dois`."""

    description = serializers.CharField()
    doi = serializers.SerializerMethodField(
        help_text=(
            "The DOI of the study as a whole (the concept DOI, resolving to its newest version) once DataCite has "
            "registered it; null before, and always null on a portal without DataCite settings."
        )
    )
    licence_url = serializers.URLField(source="licence.url")
    source = serializers.CharField(help_text="Resource a brokered dataset came from; empty for direct submissions.")
    source_id = serializers.CharField()
    released_at = serializers.DateTimeField(allow_null=True)
    authors = serializers.SerializerMethodField()
    keywords = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()
    files_url = serializers.SerializerMethodField()
    manifest_url = serializers.SerializerMethodField()
    download_zip_url = serializers.SerializerMethodField(help_text="The newest version as one streamed ZIP.")
    download_list_url = serializers.SerializerMethodField(
        help_text="The newest version's download list for aria2c (`?format=wget` or `curl` for those clients)."
    )
    obsolete_reason = serializers.SerializerMethodField(help_text="Why the entry is obsolete (P-OBSOLETE).")
    obsolete_at = serializers.SerializerMethodField(help_text="When the entry became obsolete (P-OBSOLETE).")
    superseded_by = serializers.CharField(
        source="superseded_by.accession",
        allow_null=True,
        read_only=True,
        help_text="The accession of the entry that supersedes this obsolete one, if a curator named it (P-OBSOLETE).",
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_doi(self, study: Study) -> str | None:
        return self.context["dois"].concept

    @extend_schema_field(AuthorSerializer(many=True))
    def get_authors(self, study: Study) -> list:
        return AuthorSerializer(self.context["version"].metadata.get("authors") or [], many=True).data

    def get_keywords(self, study: Study) -> list[str]:
        return list(self.context["version"].metadata.get("keywords") or [])

    @extend_schema_field(VersionSummarySerializer(many=True))
    def get_versions(self, study: Study) -> list:
        context = {**self.context, "accession": study.accession}
        return VersionSummarySerializer(self.context["versions"], many=True, context=context).data

    def get_files_url(self, study: Study) -> str:
        return absolute_url(self.context["request"], "api-study-files", accession=study.accession)

    def get_manifest_url(self, study: Study) -> str:
        return absolute_url(self.context["request"], "study-manifest", accession=study.accession)

    def get_download_zip_url(self, study: Study) -> str:
        return absolute_url(self.context["request"], "study-download-zip", accession=study.accession)

    def get_download_list_url(self, study: Study) -> str:
        return absolute_url(self.context["request"], "study-download-list", accession=study.accession)

    @extend_schema_field(ReasonCategoryField(allow_null=True))
    def get_obsolete_reason(self, study: Study) -> str | None:
        return study.status_reason if study.status == StudyStatus.OBSOLETE else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_obsolete_at(self, study: Study):
        if study.status != StudyStatus.OBSOLETE or study.status_changed_at is None:
            return None
        return serializers.DateTimeField().to_representation(study.status_changed_at)


class VersionDetailSerializer(serializers.ModelSerializer):
    """One version's metadata as it was submitted; context: request, accession, dois."""

    doi = serializers.SerializerMethodField(help_text=VERSION_DOI_HELP)

    title = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    organism = serializers.SerializerMethodField()
    imaging_method = serializers.SerializerMethodField()
    authors = serializers.SerializerMethodField()
    keywords = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    files_url = serializers.SerializerMethodField()
    manifest_url = serializers.SerializerMethodField()
    download_zip_url = serializers.SerializerMethodField(help_text="This version as one streamed ZIP.")
    download_list_url = serializers.SerializerMethodField(help_text="This version's download list for aria2c.")

    class Meta:
        model = StudyVersion
        fields = [
            "number",
            "created_at",
            "note",
            "doi",
            "title",
            "description",
            "organism",
            "imaging_method",
            "authors",
            "keywords",
            "url",
            "page_url",
            "files_url",
            "manifest_url",
            "download_zip_url",
            "download_list_url",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_doi(self, version: StudyVersion) -> str | None:
        return _version_doi(self.context, version)

    def get_title(self, version: StudyVersion) -> str:
        return version.metadata.get("title", "")

    def get_description(self, version: StudyVersion) -> str:
        return version.metadata.get("description", "")

    def get_organism(self, version: StudyVersion) -> str:
        return version.metadata.get("organism", "")

    def get_imaging_method(self, version: StudyVersion) -> str:
        return version.metadata.get("imaging_method", "")

    @extend_schema_field(AuthorSerializer(many=True))
    def get_authors(self, version: StudyVersion) -> list:
        return AuthorSerializer(version.metadata.get("authors") or [], many=True).data

    def get_keywords(self, version: StudyVersion) -> list[str]:
        return list(version.metadata.get("keywords") or [])

    def get_url(self, version: StudyVersion) -> str:
        accession = self.context["accession"]
        return absolute_url(self.context["request"], "api-study-version", accession=accession, version=version.number)

    def get_page_url(self, version: StudyVersion) -> str:
        accession = self.context["accession"]
        return absolute_url(self.context["request"], "study-version", accession=accession, version=version.number)

    def get_files_url(self, version: StudyVersion) -> str:
        return absolute_url(
            self.context["request"],
            "api-study-files",
            query={"version": version.number},
            accession=self.context["accession"],
        )

    def get_manifest_url(self, version: StudyVersion) -> str:
        accession = self.context["accession"]
        return absolute_url(
            self.context["request"], "study-version-manifest", accession=accession, version=version.number
        )

    def get_download_zip_url(self, version: StudyVersion) -> str:
        accession = self.context["accession"]
        return absolute_url(
            self.context["request"], "study-version-download-zip", accession=accession, version=version.number
        )

    def get_download_list_url(self, version: StudyVersion) -> str:
        accession = self.context["accession"]
        return absolute_url(
            self.context["request"], "study-version-download-list", accession=accession, version=version.number
        )


class ArchiveFileSerializer(serializers.ModelSerializer):
    """A file of one version; context: request, accession and `version` (the number asked for, or None)."""

    status = FileStatusField(help_text="Obsolete files stay downloadable; removed ones are listed to curators only.")
    download_url = serializers.SerializerMethodField()
    attributes = serializers.JSONField(help_text="Free-form attributes of the file (e.g. channel, dimensions).")

    class Meta:
        model = ArchiveFile
        fields = ["path", "size", "sha256", "status", "download_url", "attributes"]

    def get_download_url(self, file: ArchiveFile) -> str:
        return self._download_url(file.path)

    @cached_property
    def _download_url(self) -> Callable[[str], str]:
        """path -> its download URL, the route reversed once for the page (the serializer is one for all rows)."""
        accession, number = self.context["accession"], self.context.get("version")
        # An older version's file may differ from the newest one at the same path.
        if number is None:
            relative = path_reverser("study-file", [accession])
        else:
            relative = path_reverser("study-version-file", [accession, number])
        origin = self.context["request"].build_absolute_uri("/").removesuffix("/")
        return lambda path: origin + relative(path)

    def to_representation(self, file: ArchiveFile) -> dict:
        # The fields' values as they are (what each field's own to_representation returns for them), without the
        # per-field calls that cost more than the rest of a page of 100 files.
        return {
            "path": file.path,
            "size": file.size,
            "sha256": file.sha256,
            "status": file.status,
            "download_url": self.get_download_url(file),
            "attributes": file.attributes,
        }


class FolderSerializer(serializers.Serializer):
    """A folder of one version with the files under it at any depth; context as for ArchiveFileSerializer."""

    path = serializers.CharField(help_text='Ends with "/", e.g. "raw/plate 1/".')
    name = serializers.CharField()
    files_count = serializers.IntegerField(help_text="Files under it at any depth (removed ones: curators only).")
    total_size = serializers.IntegerField(help_text="Bytes.")
    files_url = serializers.SerializerMethodField()
    folders_url = serializers.SerializerMethodField()

    @cached_property
    def _routes(self) -> dict[str, str]:
        """Each linked route's absolute URL, reversed once for the page (the serializer is one for all rows)."""
        request, accession = self.context["request"], self.context["accession"]
        names = ("api-study-files", "api-study-folders")
        return {name: absolute_url(request, name, accession=accession) for name in names}

    def _url(self, name: str, folder) -> str:
        query = {"folder": folder.path}
        if self.context.get("version") is not None:
            query["version"] = self.context["version"]
        return f"{self._routes[name]}?{urlencode(query)}"

    def get_files_url(self, folder) -> str:
        return self._url("api-study-files", folder)

    def get_folders_url(self, folder) -> str:
        return self._url("api-study-folders", folder)

    def to_representation(self, folder) -> dict:
        # As for ArchiveFileSerializer: the values as the fields would give them, without a call per field.
        return {
            "path": folder.path,
            "name": folder.name,
            "files_count": folder.files_count,
            "total_size": folder.total_size,
            "files_url": self.get_files_url(folder),
            "folders_url": self.get_folders_url(folder),
        }
