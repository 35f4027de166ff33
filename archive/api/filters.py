"""Query parameters of the API lists, validated so that bad values answer 400 naming the field."""

from rest_framework import serializers

from archive.forms import QUERY_MAX_LENGTH
from archive.models import StudyStatus
from archive.selectors.file_tree import folder_clean
from archive.selectors.search import StudySearch
from core.errors import PolicyViolation
from licensing.selectors import licence_get


class StudyListQuerySerializer(serializers.Serializer):
    """Filters of `GET /api/v1/studies/`; context: `curator` (whether the caller is one)."""

    q = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=500, help_text="Words to search for."
    )
    organism = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    imaging_method = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    licence = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=64, help_text="SPDX id, e.g. CC0-1.0."
    )
    year = serializers.IntegerField(required=False, min_value=1, max_value=9999, help_text="Year of release.")
    include_obsolete = serializers.BooleanField(
        required=False, default=False, help_text="Also list obsolete entries (P-OBSOLETE)."
    )
    status = serializers.ChoiceField(
        choices=StudyStatus.choices, required=False, allow_blank=True, help_text="Curators only."
    )

    def validate_licence(self, value: str) -> str:
        if value:
            try:
                licence_get(spdx_id=value)
            except PolicyViolation as exc:
                raise serializers.ValidationError(exc.message) from None
        return value

    def validate_status(self, value: str) -> str:
        if value and not self.context.get("curator"):
            raise serializers.ValidationError("Only curators can filter by status.")
        return value

    def to_search(self) -> StudySearch:
        return StudySearch(**self.validated_data)


# Version numbers are database integers; larger ones cannot exist.
MAX_VERSION = 2**31 - 1


class StudyFoldersQuerySerializer(serializers.Serializer):
    """Query of `GET /api/v1/studies/<accession>/folders/`; paging (`cursor`, `page_size`) is read apart."""

    version = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_VERSION, help_text="Version number; the newest when left out."
    )
    folder = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=4096,
        help_text='A folder of the version, e.g. "raw/plate 1/"; the whole version when left out.',
    )

    def validate_folder(self, value: str) -> str:
        return folder_clean(value)


class StudyFilesQuerySerializer(StudyFoldersQuerySerializer):
    """Query of `GET /api/v1/studies/<accession>/files/`."""

    q = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=QUERY_MAX_LENGTH,
        help_text="Only files whose path (name or folders) contains this text, in any case.",
    )
