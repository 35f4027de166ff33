"""Input and output serializers of the submissions API (docs/design.md §10.3).

Input serializers check only the shape of a request (types, lists, objects);
every rule (REMBI formats, P-SCOPE, P-DISCLOSURE, P-RELEASE-DATE, P-LICENCE,
P-UPLOAD-PRIVATE) is checked by the services the views call. A request of the
wrong shape is refused with the rule of the first field in error, so every
4xx body names a field and a rule.
"""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from archive.metadata import METADATA_RULE, TEXT_FIELDS
from archive.models import StudyStatus
from submissions.file_list import FILE_LIST_RULE
from submissions.models import ReviewReason, ScopeCertification, Submission, SubmissionState
from submissions.scope import NO, NOT_APPLICABLE, QUESTIONS, YES

# Which rule a malformed field belongs to, for the 400 body.
FIELD_RULES = {
    "files": "P-MOVE-ON-SUBMIT",
    "folders": "P-MOVE-ON-SUBMIT",
    "keep_paths": "P-PERMANENT",
    "release_date": "P-RELEASE-DATE",
    "release_date_reason": "P-RELEASE-DATE",
    "licence": "P-LICENCE",
    "project": "P-PROJECT",
    "scope": "P-SCOPE",
    "acknowledgements": "P-DISCLOSURE",
    "file": FILE_LIST_RULE,
}
IDENTIFIER_FIELDS = ("organism_taxon_id", "imaging_method_fbbi_id", "publication_doi")
METADATA_FIELDS = (*TEXT_FIELDS, "authors", "keywords", *IDENTIFIER_FIELDS)


def validated(serializer: serializers.Serializer) -> dict:
    """Return the serializer's validated data, or raise a 400 naming the fields and the rule of the first one."""
    if not serializer.is_valid():
        first = next(iter(serializer.errors))
        raise serializers.ValidationError({**serializer.errors, "rule": FIELD_RULES.get(first, METADATA_RULE)})
    return serializer.validated_data


def metadata_of(data: dict) -> dict:
    """Pick the study metadata fields out of a request's validated data."""
    return {field: data[field] for field in METADATA_FIELDS if field in data}


class AuthorInputSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    affiliation = serializers.CharField(required=False, allow_blank=True)
    orcid = serializers.CharField(
        required=False, allow_blank=True, help_text="ORCID iD, e.g. 0000-0002-1825-0097 (the check digit is verified)."
    )


@extend_schema_field(serializers.DictField(child=serializers.ChoiceField(choices=[YES, NO, NOT_APPLICABLE])))
class ScopeAnswersField(serializers.DictField):
    """An object of answers by question id: `scope.scope_answers_validate` judges every key and answer.

    Judged there, a refusal names the question without repeating input that
    no reply can carry (an unpaired surrogate as a key or an answer).
    """


class ScopeAnswersSerializer(serializers.Serializer):
    version = serializers.CharField(help_text="The version of GET /api/v1/scope-form/, e.g. scope-v1.")
    answers = ScopeAnswersField(
        help_text="One answer per question id of the scope form: " + ", ".join(q.id for q in QUESTIONS) + "."
    )
    confirm_refusal = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Answers that put the data out of scope close the submission as refused, for good, only with "
        "`true`; without it they are answered 409 and nothing is recorded (P-SCOPE).",
    )


class AcknowledgementsSerializer(serializers.Serializer):
    public_disclosure = serializers.BooleanField(
        help_text="Everything shown on the public pages is disclosed to the public (P-DISCLOSURE)."
    )
    right_to_submit = serializers.BooleanField(help_text="You have the right to submit this data (P-DISCLOSURE).")


def _text(help_text: str = "") -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, help_text=help_text)


class SubmissionInputSerializer(serializers.Serializer):
    """A draft's study metadata (REMBI study-level fields), files, release date, scope and acknowledgements.

    Every part is optional in a draft; submitting needs them all.
    """

    title = _text()
    description = _text()
    authors = AuthorInputSerializer(many=True, required=False)
    organism = _text("Organism name, e.g. Homo sapiens.")
    organism_taxon_id = _text("NCBI Taxonomy id, e.g. 9606.")
    imaging_method = _text("Imaging method, e.g. confocal microscopy.")
    imaging_method_fbbi_id = _text("FBbi id, e.g. FBbi:00000246.")
    keywords = serializers.ListField(child=serializers.CharField(allow_blank=True), required=False)
    publication_doi = _text("DOI of the related publication, e.g. 10.1038/s41592-021-01234-5.")
    no_publication_reason = _text("Why there is no related publication.")
    funding = _text()
    biosample = _text("The biosample, briefly.")
    specimen = _text("The specimen and its preparation, briefly.")
    image_acquisition = _text("How the images were acquired, briefly.")
    files = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="Ids of finished files in your upload area (GET /api/v1/uploads/files/).",
    )
    folders = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Folders of your upload area, taken whole."
    )
    release_date = serializers.DateField(
        required=False,
        help_text=f"From today (released on submission) to {settings.RELEASE_DATE_MAX_YEARS} years ahead "
        "(P-RELEASE-DATE).",
    )
    release_date_reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why a later date is needed; a curator decides."
    )
    licence = serializers.CharField(
        required=False, allow_blank=True, help_text="Always CC0-1.0 for direct submissions (P-LICENCE)."
    )
    project = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Id of the structured project (P-PROJECT)."
    )
    scope = ScopeAnswersSerializer(
        required=False, allow_null=True, help_text="The clinical-scope self-certification (P-SCOPE)."
    )
    acknowledgements = AcknowledgementsSerializer(required=False, allow_null=True)


class SubmissionUpdateSerializer(SubmissionInputSerializer):
    """Changes to a draft: metadata fields given replace those fields; `files` and `folders` replace the choice."""

    keep_paths = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="New versions: the paths of the study's files to keep (the others are dropped).",
    )


class FileListUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A TSV or CSV table with a `Files` column and attribute columns.")


class FileListReportSerializer(serializers.Serializer):
    name = serializers.CharField(required=False)
    columns = serializers.ListField(child=serializers.CharField(), help_text="Attribute columns.")
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="Rows naming files not in the submission: submitting is refused."
    )
    extra = serializers.ListField(child=serializers.CharField(), help_text="Files without a row: no attributes.")
    suggestions = serializers.DictField(
        child=serializers.CharField(),
        help_text="Rows of `missing` → the file each names once its top folder is added, removed or changed "
        "(paths start with the uploaded folder's name); only rows with one such file.",
    )
    hints = serializers.ListField(
        child=serializers.CharField(),
        help_text="What the suggestions change, in sentences (“Did you mean …? Your File List's paths leave out the "
        "top folder …”).",
    )


class MoveProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    bytes_done = serializers.IntegerField()
    bytes_total = serializers.IntegerField()


class ScreeningSerializer(serializers.Serializer):
    path = serializers.CharField()
    attributes = serializers.ListField(child=serializers.CharField(), help_text="Patient-identifying attributes.")


class MoveErrorSerializer(serializers.Serializer):
    path = serializers.CharField()
    problem = serializers.CharField()


class SubmissionFileSerializer(serializers.Serializer):
    path = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    upload_file = serializers.IntegerField(
        source="upload_file_id", allow_null=True, help_text="The upload file it comes from; null for a kept file."
    )
    state = serializers.CharField()
    attributes = serializers.DictField(child=serializers.CharField())


# Published as a named component: other apps' serializers have fields named `state` with other choices.
@extend_schema_field(serializers.ChoiceField(choices=SubmissionState.choices), component_name="SubmissionState")
class SubmissionStateField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=SubmissionState.choices, **kwargs)


@extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ReviewReason.choices)))
class ReviewReasonsField(serializers.ListField):
    pass


class ScopeCertificationSerializer(serializers.ModelSerializer):
    """One certification of the scope form; the last listed is in force (P-SCOPE)."""

    class Meta:
        model = ScopeCertification
        fields = ["number", "form_version", "answers", "outcome", "certified_at"]


class SubmissionListSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    study = serializers.SlugRelatedField(
        slug_field="accession", read_only=True, allow_null=True, help_text="Null until the study exists."
    )
    review_reasons = ReviewReasonsField(child=serializers.CharField())
    state = SubmissionStateField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "url",
            "kind",
            "state",
            "title",
            "accession",
            "study",
            "review_reasons",
            "release_date",
            "created_at",
            "submitted_at",
        ]

    def get_title(self, submission: Submission) -> str:
        return submission.metadata.get("title", "")

    def get_url(self, submission: Submission) -> str:
        return self.context["request"].build_absolute_uri(reverse("api-submission-detail", args=[submission.pk]))


class SubmissionDetailSerializer(SubmissionListSerializer):
    """A submission as its owner sees it, with what the portal found (File List, screening, move)."""

    metadata = serializers.JSONField(help_text="Study metadata as stored (REMBI study-level fields).")
    licence = serializers.SerializerMethodField()
    scope_outcome = serializers.SerializerMethodField(help_text="The outcome of the scope certification in force.")
    scope_certifications = ScopeCertificationSerializer(
        many=True, read_only=True, help_text="Every scope certification given, oldest first; the last is in force."
    )
    acknowledged = serializers.SerializerMethodField()
    file_list = serializers.SerializerMethodField()
    screening = ScreeningSerializer(many=True)
    move_progress = serializers.SerializerMethodField()
    move_error = MoveErrorSerializer(many=True)
    files = SubmissionFileSerializer(many=True)

    class Meta(SubmissionListSerializer.Meta):
        fields = [
            *SubmissionListSerializer.Meta.fields,
            "metadata",
            "release_date_reason",
            "licence",
            "project",
            "scope_outcome",
            "scope_certifications",
            "acknowledged",
            "file_list",
            "screening",
            "move_progress",
            "move_error",
            "curator_message",
            "files",
        ]

    def get_licence(self, submission: Submission) -> str:
        return self.context["licence"]

    def get_scope_outcome(self, submission: Submission) -> str | None:
        certification = submission.scope_certification_in_force
        return certification.outcome if certification else None

    def get_acknowledged(self, submission: Submission) -> bool:
        return hasattr(submission, "disclosure")

    @extend_schema_field(FileListReportSerializer(allow_null=True))
    def get_file_list(self, submission: Submission) -> dict | None:
        return self.context["file_list"]

    @extend_schema_field(MoveProgressSerializer)
    def get_move_progress(self, submission: Submission) -> dict:
        return self.context["move_progress"]


class SubmitAcceptedSerializer(serializers.Serializer):
    """201: the study exists."""

    accession = serializers.CharField()
    status = serializers.ChoiceField(choices=StudyStatus.choices, help_text="The study's status.")
    url = serializers.URLField(help_text="The study in the API.")


class SubmitQueuedSerializer(serializers.Serializer):
    """202: the files are moving, or a curator must look first (no accession yet)."""

    state = SubmissionStateField()
    accession = serializers.CharField(allow_blank=True, help_text="Known once the move starts; empty in review.")
    review_reasons = ReviewReasonsField(child=serializers.CharField())
    status_url = serializers.URLField(help_text="Poll it for `state` and `move_progress`.")
