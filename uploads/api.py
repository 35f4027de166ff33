"""The upload-area file API (docs/design.md §10.3): list and delete the caller's own files."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import PolicyViolation
from uploads.errors import UploadNotFound
from uploads.models import UploadFile
from uploads.paths import upload_path_validate
from uploads.selectors import FILE_ORDERINGS, upload_files_of
from uploads.services.upload import upload_file_delete

# Token first: DRF then answers an anonymous caller 401 with `WWW-Authenticate: Token`.
AUTHENTICATION = [TokenAuthentication, SessionAuthentication]

NOT_FOUND = OpenApiResponse(
    OpenApiTypes.OBJECT, description="No such file in the caller's upload area (P-UPLOAD-PRIVATE)."
)
UNAUTHENTICATED = OpenApiResponse(OpenApiTypes.OBJECT, description="Sign in or send `Authorization: Token <key>`.")


class UploadFileSerializer(serializers.ModelSerializer):
    path = serializers.CharField(source="relative_path")
    expires_at = serializers.DateTimeField(help_text="Deletion time of the file (P-UPLOAD-RETENTION).")

    class Meta:
        model = UploadFile
        fields = ["id", "path", "size", "offset", "state", "sha256", "uploaded_at", "expires_at"]
        read_only_fields = fields


class UploadFilesQuerySerializer(serializers.Serializer):
    folder = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="Only files under this folder."
    )
    ordering = serializers.ChoiceField(choices=list(FILE_ORDERINGS), required=False, default="path")

    def validate_folder(self, value: str) -> str:
        value = value.rstrip("/")
        if not value:
            return ""
        try:
            return upload_path_validate(value)
        except PolicyViolation as exc:
            raise serializers.ValidationError(exc.message) from None


class UploadFileListView(GenericAPIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    serializer_class = UploadFileSerializer
    filter_backends = ()

    @extend_schema(
        summary="List the files of your upload area",
        description=(
            "The caller's own files, finished or still uploading, with each file's deletion time "
            "(`expires_at`, P-UPLOAD-RETENTION)."
        ),
        parameters=[UploadFilesQuerySerializer],
        responses={200: UploadFileSerializer(many=True), 401: UNAUTHENTICATED},
    )
    def get(self, request):
        query = UploadFilesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        files = self.paginate_queryset(upload_files_of(owner=request.user, **query.validated_data))
        return self.get_paginated_response(UploadFileSerializer(files, many=True).data)


class UploadFileDetailView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Delete a file of your upload area, with its bytes",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=None,
        responses={204: None, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def delete(self, request, id: int):
        try:
            upload_file_delete(owner=request.user, pk=id)
        except UploadNotFound as exc:
            raise NotFound(exc.as_dict()) from None
        return Response(status=204)
