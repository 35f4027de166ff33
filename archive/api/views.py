"""JSON views of the archive (docs/design.md §10.3): reads, and the owner's release-date change.

Each view validates its query, asks the visibility selectors and serializes;
StudyNotFound and StudyGone become 404 and 410 in `archive.api.errors`.
"""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.api.filters import (
    MAX_VERSION,
    StudyFilesQuerySerializer,
    StudyFoldersQuerySerializer,
    StudyListQuerySerializer,
)
from archive.api.pagination import KeysetPagination
from archive.api.serializers import (
    ArchiveFileSerializer,
    ErrorSerializer,
    FolderSerializer,
    StudyDetailSerializer,
    StudyListSerializer,
    TombstoneSerializer,
    VersionDetailSerializer,
)
from archive.selectors.dois import study_dois
from archive.selectors.file_tree import files_window, folder_get, subfolders_page
from archive.selectors.search import studies_listed_for
from archive.selectors.visibility import StudyNotFound, study_get_visible, study_page_get, study_version_get
from archive.services.release import study_release_date_change
from core.roles import user_is_curator

ACCESSION_PARAMETER = OpenApiParameter(
    "accession", OpenApiTypes.STR, OpenApiParameter.PATH, description="Accession, e.g. S-BIAD123."
)
BAD_QUERY = OpenApiResponse(OpenApiTypes.OBJECT, description="A query parameter is invalid: `{field: [messages]}`.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such study, or it is not visible to the caller.")
PAGE_NOT_FOUND = OpenApiResponse(ErrorSerializer, description="The page number is past the end of the list.")
GONE = OpenApiResponse(TombstoneSerializer, description="Removed from the public record (P-REMOVE): a tombstone.")


class StudyListView(GenericAPIView):
    # Filters are validated by the query serializer and applied by the selector.
    filter_backends = ()

    @extend_schema(
        summary="Search and list studies",
        description=(
            "Released studies for everyone (obsolete ones with `include_obsolete=1`), the caller's own "
            "confidential studies, and every study for curators, who also get `searchable` and may filter "
            "by `status`. Hidden entries are never listed for non-curators (P-HIDE)."
        ),
        parameters=[StudyListQuerySerializer],
        responses={200: StudyListSerializer(many=True), 400: BAD_QUERY, 404: PAGE_NOT_FOUND},
    )
    def get(self, request):
        curator = user_is_curator(request.user)
        query = StudyListQuerySerializer(data=request.query_params, context={"curator": curator})
        query.is_valid(raise_exception=True)
        studies = self.paginate_queryset(studies_listed_for(request.user, query.to_search()))
        context = {**self.get_serializer_context(), "curator": curator}
        return self.get_paginated_response(StudyListSerializer(studies, many=True, context=context).data)


class ReleaseDateChangeSerializer(serializers.Serializer):
    release_date = serializers.DateField()
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=f"Curators only: needed to go beyond {settings.RELEASE_DATE_MAX_YEARS} years (logged).",
    )


class StudyDetailView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        summary="One study, with its newest version's metadata",
        parameters=[ACCESSION_PARAMETER],
        responses={200: StudyDetailSerializer, 404: NOT_FOUND, 410: GONE},
    )
    def get(self, request, accession: str):
        page = study_page_get(request.user, accession)
        context = {
            "request": request,
            "curator": user_is_curator(request.user),
            "version": page.version,
            "versions": page.versions,
            "dois": study_dois(page.study),
        }
        return Response(StudyDetailSerializer(page.study, context=context).data)

    @extend_schema(
        summary="Change a confidential study's release date (P-RELEASE-DATE)",
        description=(
            "The owner may choose any date from today (releases at once) to "
            f"{settings.RELEASE_DATE_MAX_YEARS} years after accessioning while "
            "the study is confidential; a curator may go beyond with a logged reason. A released study's date is fixed."
        ),
        parameters=[ACCESSION_PARAMETER],
        request=ReleaseDateChangeSerializer,
        responses={
            200: StudyDetailSerializer,
            400: BAD_QUERY,
            403: OpenApiResponse(ErrorSerializer, description="Only the owner or a curator may change it."),
            404: NOT_FOUND,
            410: GONE,
        },
    )
    def patch(self, request, accession: str):
        study = study_get_visible(request.user, accession)
        change = ReleaseDateChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        study_release_date_change(study=study, actor=request.user, **change.validated_data)
        return self.get(request, accession)


class StudyVersionView(APIView):
    @extend_schema(
        summary="One version of a study, as it was submitted (P-PERMANENT)",
        parameters=[
            ACCESSION_PARAMETER,
            OpenApiParameter("version", OpenApiTypes.INT, OpenApiParameter.PATH, description="Version number."),
        ],
        responses={200: VersionDetailSerializer, 404: NOT_FOUND, 410: GONE},
    )
    def get(self, request, accession: str, version: int):
        study = study_get_visible(request.user, accession)
        if version > MAX_VERSION:
            raise StudyNotFound(f"{accession} v{version}")
        context = {"request": request, "accession": study.accession, "dois": study_dois(study)}
        return Response(VersionDetailSerializer(study_version_get(study=study, number=version), context=context).data)


def _paged_list_schema(name: str, item, *, description: str):
    return OpenApiResponse(
        inline_serializer(
            name=name,
            fields={
                "count": serializers.IntegerField(allow_null=True, help_text="Null for a search (`q`)."),
                "next": serializers.URLField(allow_null=True, help_text="The next page: its URL carries the cursor."),
                "previous": serializers.URLField(allow_null=True),
                "results": item,
            },
        ),
        description=description,
    )


CURSOR_PARAMETERS = [
    OpenApiParameter("cursor", OpenApiTypes.STR, description="Opaque; take it from `next` or `previous`."),
    OpenApiParameter(
        "page_size", OpenApiTypes.INT, description=f"At most {KeysetPagination.max_page_size}; 400 above."
    ),
]


class StudyFilesView(APIView):
    @extend_schema(
        summary="Files of a study version, by path, under a folder, or found by name or path",
        description=(
            "The newest version's files unless `version` is given, in path order, paged by cursor (keyset): every "
            "page costs what the first does. `folder` keeps the files under it at any depth; `q` those whose path "
            "contains it. Removed files are listed for curators only (P-REMOVE)."
        ),
        parameters=[ACCESSION_PARAMETER, StudyFilesQuerySerializer, *CURSOR_PARAMETERS],
        responses={
            200: _paged_list_schema(
                "PagedFileList", ArchiveFileSerializer(many=True), description="One page of files."
            ),
            400: BAD_QUERY,
            404: NOT_FOUND,
            410: GONE,
        },
    )
    def get(self, request, accession: str):
        query = StudyFilesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        paging = KeysetPagination(request)
        number, folder, q = (query.validated_data.get(name) for name in ("version", "folder", "q"))
        study = study_get_visible(request.user, accession)
        version = study_version_get(study=study, number=number)
        counted = folder_get(version=version, user=request.user, path=folder)
        page = files_window(
            version=version,
            user=request.user,
            folder=folder,
            q=q,
            position=paging.position,
            limit=paging.size,
            thumbnails=False,
        )
        context = {"request": request, "accession": study.accession, "version": number}
        results = ArchiveFileSerializer(page.rows, many=True, context=context).data
        return paging.response(page, results, count=None if q else counted.files_count)


class StudyFoldersView(APIView):
    @extend_schema(
        summary="Folders of a study version, with the files under each",
        description=(
            "The folders directly inside `folder` (the version's top when left out), in path order, each with "
            "the number and size of the files under it at any depth, and the URLs of its files and folders."
        ),
        parameters=[ACCESSION_PARAMETER, StudyFoldersQuerySerializer, *CURSOR_PARAMETERS],
        responses={
            200: _paged_list_schema("PagedFolderList", FolderSerializer(many=True), description="One page of folders."),
            400: BAD_QUERY,
            404: NOT_FOUND,
            410: GONE,
        },
    )
    def get(self, request, accession: str):
        query = StudyFoldersQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        paging = KeysetPagination(request)
        number, folder = query.validated_data.get("version"), query.validated_data["folder"]
        study = study_get_visible(request.user, accession)
        version = study_version_get(study=study, number=number)
        folder_get(version=version, user=request.user, path=folder)
        page = subfolders_page(
            version=version, user=request.user, parent=folder, position=paging.position, limit=paging.size
        )
        context = {"request": request, "accession": study.accession, "version": number}
        return paging.response(page, FolderSerializer(page.rows, many=True, context=context).data, count=None)
