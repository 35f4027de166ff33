"""Who may see a confidential study, through the API: reviewer links and collaborators (docs/design.md §2, §5.3).

The study is looked up through the visibility selector first, so a study the
caller cannot see answers 404 (410 when removed); one the caller sees but does
not own answers 403 from the service.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.api.views import ACCESSION_PARAMETER, GONE, NOT_FOUND
from archive.models import ReviewerLink
from archive.selectors.visibility import reviewer_link_get, reviewer_links_for, study_get_visible
from archive.services.access import (
    COLLABORATOR_INVITE_ANSWER,
    reviewer_link_create,
    reviewer_link_revoke,
    study_collaborator_invite,
    study_collaborator_remove,
)

REFUSED = OpenApiResponse(
    OpenApiTypes.OBJECT, description="A rule refuses the request: `{field: [messages], rule}`, nothing changed."
)
FORBIDDEN = OpenApiResponse(
    OpenApiTypes.OBJECT, description="The caller sees the study but is neither its owner nor a curator."
)
LINK_ID_PARAMETER = OpenApiParameter("link_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Link id.")
USERNAME_PARAMETER = OpenApiParameter(
    "username", OpenApiTypes.STR, OpenApiParameter.PATH, description="Username of the collaborator."
)


class ReviewerLinkInputSerializer(serializers.Serializer):
    expires_at = serializers.DateTimeField(required=False, allow_null=True, help_text="When the link stops working.")
    anonymised = serializers.BooleanField(default=False, help_text="Hide the authors and the owner from reviewers.")


class ReviewerLinkSerializer(serializers.ModelSerializer):
    active = serializers.SerializerMethodField()

    class Meta:
        model = ReviewerLink
        fields = [
            "id",
            "created_at",
            "expires_at",
            "revoked_at",
            "active",
            "anonymised",
            "access_count",
            "last_access_at",
        ]

    def get_active(self, link: ReviewerLink) -> bool:
        return link.revoked_at is None and (link.expires_at is None or link.expires_at > self.context["now"])


class ReviewerLinkCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField(help_text="The secret link; shown this once, only its hash is kept.")
    expires_at = serializers.DateTimeField(allow_null=True)
    anonymised = serializers.BooleanField()


class CollaboratorInputSerializer(serializers.Serializer):
    user = serializers.CharField(max_length=254, help_text="Username or e-mail of an existing account.")


class CollaboratorInvitedSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="The same words whether or not an account matched.")


@method_decorator(never_cache, name="dispatch")  # a new link's answer carries its secret URL
class ReviewerLinksView(APIView):
    @extend_schema(
        summary="Reviewer links of a study",
        description="The owner's or a curator's view: every link without its token, with its access count.",
        parameters=[ACCESSION_PARAMETER],
        responses={200: ReviewerLinkSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND, 410: GONE},
    )
    def get(self, request, accession: str):
        study = study_get_visible(request.user, accession)
        links = reviewer_links_for(study=study, actor=request.user)
        return Response(ReviewerLinkSerializer(links, many=True, context={"now": timezone.now()}).data)

    @extend_schema(
        summary="Make a reviewer link to a confidential study",
        description="Read-only access for anyone holding the URL, optionally expiring and anonymised. "
        "The URL is in this answer only.",
        parameters=[ACCESSION_PARAMETER],
        request=ReviewerLinkInputSerializer,
        responses={201: ReviewerLinkCreatedSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND, 410: GONE},
    )
    def post(self, request, accession: str):
        study = study_get_visible(request.user, accession)
        data = ReviewerLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        link, token = reviewer_link_create(study=study, actor=request.user, **data.validated_data)
        body = {
            "id": link.pk,
            "url": request.build_absolute_uri(reverse("review", args=[token])),
            "expires_at": link.expires_at,
            "anonymised": link.anonymised,
        }
        return Response(ReviewerLinkCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


class ReviewerLinkDetailView(APIView):
    @extend_schema(
        summary="Revoke a reviewer link",
        description="The link stops working at once, for good.",
        parameters=[ACCESSION_PARAMETER, LINK_ID_PARAMETER],
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND, 410: GONE},
    )
    def delete(self, request, accession: str, link_id: int):
        study = study_get_visible(request.user, accession)
        link = reviewer_link_get(study=study, actor=request.user, link_id=link_id)
        reviewer_link_revoke(link=link, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CollaboratorsView(APIView):
    @extend_schema(
        summary="Invite a collaborator to a confidential study",
        description=(
            "An existing account, named by username or e-mail, may then see the study, and its holder is told by "
            "e-mail. The answer is the same 202 whether one account, several or none matched, so it reveals no "
            "one's account; the study's collaborators are listed on its page."
        ),
        parameters=[ACCESSION_PARAMETER],
        request=CollaboratorInputSerializer,
        responses={202: CollaboratorInvitedSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND, 410: GONE},
    )
    def post(self, request, accession: str):
        study = study_get_visible(request.user, accession)
        data = CollaboratorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        study_collaborator_invite(study=study, actor=request.user, username_or_email=data.validated_data["user"])
        answer = CollaboratorInvitedSerializer({"detail": COLLABORATOR_INVITE_ANSWER})
        return Response(answer.data, status=status.HTTP_202_ACCEPTED)


class CollaboratorDetailView(APIView):
    @extend_schema(
        summary="Remove a collaborator",
        description="The user no longer sees the study; the owner always does.",
        parameters=[ACCESSION_PARAMETER, USERNAME_PARAMETER],
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND, 410: GONE},
    )
    def delete(self, request, accession: str, username: str):
        study = study_get_visible(request.user, accession)
        study_collaborator_remove(study=study, actor=request.user, username=username)
        return Response(status=status.HTTP_204_NO_CONTENT)
