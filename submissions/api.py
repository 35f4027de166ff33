"""Submission API views (docs/design.md §10.3): the scope form, drafts, File Lists, submitting and new versions.

A script deposits end to end with a token: upload with tus, POST a draft,
POST submit, poll the submission until it has its study. Views check the
shape of a request, call the services that hold the rules and answer; a
broken rule becomes a 4xx naming the field and the rule
(`archive.api.errors`). Other users' submissions are 404.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.api.views import ACCESSION_PARAMETER, GONE, NOT_FOUND
from archive.selectors.visibility import study_get_visible
from submissions.file_list import MAX_FILE_LIST_BYTES
from submissions.models import Submission, SubmissionState
from submissions.scope import NO, NOT_APPLICABLE, YES
from submissions.selectors import scope_form_get, submission_move_progress, submissions_of
from submissions.serializers import (
    FileListReportSerializer,
    FileListUploadSerializer,
    SubmissionDetailSerializer,
    SubmissionInputSerializer,
    SubmissionListSerializer,
    SubmissionUpdateSerializer,
    SubmitAcceptedSerializer,
    SubmitQueuedSerializer,
    metadata_of,
    validated,
)
from submissions.services import (
    file_list_report,
    submission_create_whole,
    submission_file_list_check,
    submission_submit,
    submission_update_whole,
    submission_version_start,
)

REFUSED = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="A rule refuses the request: `{field: [messages], ..., rule}`; nothing was created or changed.",
)
REFUSAL_UNCONFIRMED = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="The scope answers would close the submission as refused (P-SCOPE): `confirm_refusal` says why "
    "and that `scope.confirm_refusal: true` is needed to close it; nothing was created or changed.",
)
SUBMISSION_NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No such submission of yours.")
NOT_OWNER = OpenApiResponse(OpenApiTypes.OBJECT, description="The caller sees the study but does not own it.")
SUBMISSION_PARAMETER = OpenApiParameter(
    "submission_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id of one of your submissions."
)


class ScopeQuestionSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The key of this answer in `scope.answers` of a submission.")
    text = serializers.CharField()
    choices = serializers.ListField(child=serializers.ChoiceField(choices=[YES, NO, NOT_APPLICABLE]))


class ScopeFormSerializer(serializers.Serializer):
    version = serializers.CharField(help_text="Send it back as `scope.version` with the answers.")
    questions = ScopeQuestionSerializer(many=True)


class ScopeFormView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="The clinical-scope self-certification form",
        description=(
            "The questions every submission answers (P-SCOPE), with the allowed answers. "
            "`not_applicable` is allowed only where the data is not of human origin, and for "
            "`publication_consent` where it cannot be linked to a person (e.g. human cell lines)."
        ),
        responses={200: ScopeFormSerializer},
    )
    def get(self, request):
        return Response(ScopeFormSerializer(scope_form_get()).data)


def _owned(request, submission_id: int) -> Submission:
    return get_object_or_404(submissions_of(request.user), pk=submission_id)


def _detail(request, submission: Submission) -> dict:
    study = submission.study
    context = {
        "request": request,
        "licence": study.licence.spdx_id if study else settings.DIRECT_SUBMISSION_LICENCE,
        "file_list": file_list_report(submission) if submission.file_list else None,
        "move_progress": submission_move_progress(submission=submission),
    }
    return SubmissionDetailSerializer(submission, context=context).data


class SubmissionListView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    filter_backends = ()

    @extend_schema(
        summary="Your submissions",
        description="Drafts and submitted ones, newest first, with their state and accession once given.",
        responses={200: SubmissionListSerializer(many=True)},
    )
    def get(self, request):
        submissions = self.paginate_queryset(submissions_of(request.user))
        data = SubmissionListSerializer(submissions, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Start a submission (a draft)",
        description=(
            "Study metadata (REMBI study-level fields), files from your upload area, release date, the scope "
            "self-certification and the two acknowledgements, in one request. Every part is optional in a draft "
            "(submitting needs them all), but each part given must be valid: one bad part refuses the request "
            "whole and nothing is created. Metadata errors are all listed at once. The licence is CC0-1.0; asking "
            "for another is refused (P-LICENCE). Scope answers that put the data out of scope (P-SCOPE) are "
            "answered 409 and nothing is created, unless `scope.confirm_refusal` is `true`: then, as in the web "
            "wizard, they are kept on record with the draft, which is refused for good."
        ),
        request=SubmissionInputSerializer,
        responses={201: SubmissionDetailSerializer, 400: REFUSED, 409: REFUSAL_UNCONFIRMED},
    )
    def post(self, request):
        data = validated(SubmissionInputSerializer(data=request.data))
        submission = submission_create_whole(
            owner=request.user,
            metadata=metadata_of(data),
            release_date=data.get("release_date"),
            release_date_reason=data["release_date_reason"],
            licence=data.get("licence"),
            parts=data,
        )
        return Response(_detail(request, _owned(request, submission.pk)), status=status.HTTP_201_CREATED)


class SubmissionDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="One of your submissions",
        description=(
            "Its state; why it waits for a curator (`review_reasons`); its accession once its files start moving "
            "and `move_progress`; the File List report; DICOM files found with patient-identifying attributes "
            "(`screening`); files that failed their checksum on the move (`move_error`)."
        ),
        parameters=[SUBMISSION_PARAMETER],
        responses={200: SubmissionDetailSerializer, 404: SUBMISSION_NOT_FOUND},
    )
    def get(self, request, submission_id: int):
        return Response(_detail(request, _owned(request, submission_id)))

    @extend_schema(
        summary="Change a draft",
        description=(
            "Metadata fields given replace those fields (an empty string clears one); `files` and `folders` "
            "replace the files chosen from the upload area; for a new version `keep_paths` lists the study's "
            "files to keep. Scope answers other than those in force certify the scope again: a new certification "
            "is added and the earlier ones stay on record (P-SCOPE); acknowledgements are given once. Only drafts "
            "(and submissions a curator handed back) change; one refused part changes nothing. Scope answers "
            "that put the data out of scope are answered 409, unless `scope.confirm_refusal` is `true`: then they "
            "are kept on record and refuse the submission for good."
        ),
        parameters=[SUBMISSION_PARAMETER],
        request=SubmissionUpdateSerializer,
        responses={
            200: SubmissionDetailSerializer,
            400: REFUSED,
            404: SUBMISSION_NOT_FOUND,
            409: REFUSAL_UNCONFIRMED,
        },
    )
    def patch(self, request, submission_id: int):
        submission = _owned(request, submission_id)
        data = validated(SubmissionUpdateSerializer(data=request.data, partial=True))
        submission_update_whole(submission=submission, actor=request.user, metadata=metadata_of(data), parts=data)
        return Response(_detail(request, _owned(request, submission_id)))


class FileListView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Check a File List against a draft's files",
        description=(
            "Upload a TSV or CSV table (multipart field `file`) with a `Files` column and free attribute columns "
            "(channel, plate, well...). The report lists rows naming files not in the submission (`missing`: "
            "submitting is refused until they are fixed), files without a row (`extra`) and, for missing rows whose "
            "path differs from a chosen file's only in the top folder, that file (`suggestions`, `hints`). A "
            "malformed table is refused whole and the previous File List stays."
        ),
        parameters=[SUBMISSION_PARAMETER],
        request={"multipart/form-data": FileListUploadSerializer},
        responses={200: FileListReportSerializer, 400: REFUSED, 404: SUBMISSION_NOT_FOUND},
    )
    def post(self, request, submission_id: int):
        submission = _owned(request, submission_id)
        upload = validated(FileListUploadSerializer(data=request.data))["file"]
        # One byte past the limit is enough for the parser to refuse it.
        content = upload.read(MAX_FILE_LIST_BYTES + 1)
        report = submission_file_list_check(
            submission=submission, actor=request.user, name=upload.name, content=content
        )
        return Response(FileListReportSerializer(report).data)


class SubmitView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Submit a draft",
        description=(
            "Every rule is checked; a refusal names the field and the rule and changes nothing. Then: 201 with "
            "the accession once the study exists; 202 with the accession and a `status_url` to poll while the "
            "files move into the archive (P-MOVE-ON-SUBMIT); 202 with `state: in_review` and `review_reasons` "
            "when a curator must look first (no accession yet)."
        ),
        parameters=[SUBMISSION_PARAMETER],
        request=None,
        responses={
            201: SubmitAcceptedSerializer,
            202: SubmitQueuedSerializer,
            400: REFUSED,
            404: SUBMISSION_NOT_FOUND,
        },
    )
    def post(self, request, submission_id: int):
        submission = submission_submit(submission=_owned(request, submission_id), actor=request.user)
        submission = _owned(request, submission.pk)  # a queue that runs tasks at once has moved the files already
        if submission.state == SubmissionState.ACCEPTED and submission.study is not None:
            study = submission.study
            body = {
                "accession": study.accession,
                "status": study.status,
                "url": request.build_absolute_uri(reverse("api-study-detail", args=[study.accession])),
            }
            return Response(SubmitAcceptedSerializer(body).data, status=status.HTTP_201_CREATED)
        body = {
            "state": submission.state,
            "accession": submission.accession,
            "review_reasons": submission.review_reasons,
            "status_url": request.build_absolute_uri(reverse("api-submission-detail", args=[submission.pk])),
        }
        return Response(SubmitQueuedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class StudyVersionStartView(APIView):
    # The default permission (writes need an account) lets GET through to answer 405 for everyone, like
    # the other POST-only study routes; the service refuses anyone but the owner (403).

    @extend_schema(
        summary="Start a new version of a study (P-PERMANENT)",
        description=(
            "The owner's draft of version n+1 (or the draft already started): the newest version's metadata and "
            "files, which are kept without uploading them again. Change it with PATCH on the submission "
            "(`keep_paths`, `files`, metadata) and submit it; earlier versions stay at their own URLs."
        ),
        parameters=[ACCESSION_PARAMETER],
        request=None,
        responses={201: SubmissionDetailSerializer, 400: REFUSED, 403: NOT_OWNER, 404: NOT_FOUND, 410: GONE},
    )
    def post(self, request, accession: str):
        study = study_get_visible(request.user, accession)
        submission = submission_version_start(study=study, actor=request.user)
        return Response(_detail(request, _owned(request, submission.pk)), status=status.HTTP_201_CREATED)
