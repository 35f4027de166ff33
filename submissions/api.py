"""Submission API views (DESIGN §5.3)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from submissions.scope import NO, NOT_APPLICABLE, YES
from submissions.selectors import scope_form_get


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
            "`not_applicable` is allowed only where the data is not of human origin."
        ),
        responses={200: ScopeFormSerializer},
    )
    def get(self, request):
        return Response(ScopeFormSerializer(scope_form_get()).data)
