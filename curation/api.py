"""The curator API (docs/design.md §10.3): hide, unhide, obsolete, remove and restore a study, or some of its files.

Each view checks that the caller is a curator, looks the study up through the
visibility selector, validates the body and calls one service of
`curation.services.actions`, which writes the audit row. Errors are 4xx JSON
bodies naming the field and the rule; nothing changes.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.api.views import ACCESSION_PARAMETER, NOT_FOUND
from archive.models import ReasonCategory, Study
from archive.selectors.visibility import study_get_visible
from curation.services.actions import ACTIONS, curator_check, studies_curate, study_files_curate

MAX_FILES = 10_000

REFUSED = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="A field or rule refuses the request: `{field: [messages], rule}`; nothing changed.",
)
FORBIDDEN = OpenApiResponse(OpenApiTypes.OBJECT, description="Only curators (and superusers) may act: `{actor, rule}`.")


class CuratorActionInputSerializer(serializers.Serializer):
    # The refusal lists the choices instead of repeating the input, which may be no text at all (an unpaired
    # surrogate in the JSON), and no reply can carry that.
    reason_category = serializers.ChoiceField(
        choices=ReasonCategory.choices,
        error_messages={"invalid_choice": "Choose one of: " + ", ".join(ReasonCategory.values) + "."},
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text="Kept in the audit log."
    )
    superseded_by = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=32,
        help_text=(
            "Obsolete only, with the reason `superseded`: the accession of the entry that replaces this one; "
            "its page's banner links there (P-OBSOLETE)."
        ),
    )
    files = serializers.ListField(
        child=serializers.CharField(max_length=4096),
        required=False,
        allow_empty=False,
        max_length=MAX_FILES,
        help_text=(
            "Paths of files of the newest version: act on these files, and on every copy of their content in "
            "earlier versions, instead of the whole study."
        ),
    )

    def validate(self, data):
        if data.get("files") and data["superseded_by"]:
            raise serializers.ValidationError(
                {"superseded_by": "A whole entry is superseded, not some of its files: leave out `files`."}
            )
        return data


class CuratorActionResultSerializer(serializers.Serializer):
    accession = serializers.CharField()
    status = serializers.CharField(help_text="confidential, released, obsolete or removed.")
    searchable = serializers.BooleanField(help_text="False while hidden (P-HIDE).")
    reason_category = serializers.CharField(source="status_reason", allow_blank=True)
    files_changed = serializers.IntegerField(
        allow_null=True,
        help_text="How many files changed, each version's copy counted, when `files` was given; null otherwise.",
    )


def _schema(action: str):
    spec = ACTIONS[action]
    files = ""
    if spec.file_status is not None:
        files = (
            f" With `files`, those files of the newest version are {spec.done}, and so is their content in every"
            " version of the study."
        )
    return extend_schema(
        summary=f"{spec.verb} a study ({spec.rule})",
        description=f"Curators only. The study is {spec.done}; the change and its reason go into the audit log.{files}",
        parameters=[ACCESSION_PARAMETER],
        request=CuratorActionInputSerializer,
        responses={200: CuratorActionResultSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
        tags=["curation"],
    )


class CuratorActionView(APIView):
    """One curator action on one study; subclasses name the action."""

    action_name = ""

    def post(self, request, accession: str):
        curator_check(request.user)
        study = study_get_visible(request.user, accession)
        body = CuratorActionInputSerializer(data=request.data)
        if not body.is_valid():
            return Response({**body.errors, "rule": ACTIONS[self.action_name].rule}, status=400)
        data = dict(body.validated_data)
        paths = data.pop("files", None)
        superseded_by = data.pop("superseded_by")  # whole studies only: `validate` refuses it beside files
        files_changed = None
        if paths is None:
            [study] = studies_curate(
                actor=request.user, action=self.action_name, studies=[study], superseded_by=superseded_by, **data
            )
        else:
            files_changed = study_files_curate(
                actor=request.user, action=self.action_name, study=study, paths=paths, **data
            )
            study = Study.objects.get(pk=study.pk)
        result = {
            "accession": study.accession,
            "status": study.status,
            "searchable": study.searchable,
            "status_reason": study.status_reason,
            "files_changed": files_changed,
        }
        return Response(CuratorActionResultSerializer(result).data)


def _view(action: str) -> type[CuratorActionView]:
    """Make the view class of one action, so that each endpoint carries its own schema."""

    class ActionView(CuratorActionView):
        action_name = action

        @_schema(action)
        def post(self, request, accession: str):
            return super().post(request, accession)

    ActionView.__name__ = ActionView.__qualname__ = f"Study{action.title()}View"
    return ActionView


ACTION_VIEWS = {action: _view(action) for action in ACTIONS}
