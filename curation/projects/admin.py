"""Structured-project proposals in the admin (P-PROJECT): listed read-only, scored and decided on their own page.

Proposals change only through `curation.projects.services`, so the model
admin edits nothing; its change page links to the page where curators score
and decide (curation.projects.views.project_decide_view).
"""

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache

from curation.projects import views
from curation.projects.services import PROPOSAL_FIELDS, SCORES, project_balance
from submissions.models import ProjectProposal


@admin.register(ProjectProposal)
class ProjectProposalAdmin(admin.ModelAdmin):
    list_display = ["name", "proposer", "category", "state", "balance", "created_at", "decide_link"]
    list_filter = ["state", "category"]
    list_select_related = ["proposer"]
    search_fields = ["name", "proposer__username"]
    readonly_fields = [
        "decide_link",
        "proposer",
        *PROPOSAL_FIELDS,
        "state",
        *SCORES,
        "balance",
        "decision_note",
        "decided_by",
        "decided_at",
        "created_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # proposers propose on /projects/propose/

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        decide = path(
            "<int:pk>/decide/", never_cache(views.project_decide_view), name="submissions_projectproposal_decide"
        )
        return [decide, *super().get_urls()]

    @admin.display(description="balance (impact − mean resource cost)")
    def balance(self, project):
        balance = project_balance(project)
        return "not scored" if balance is None else f"{balance.value:+.2f}"

    @admin.display(description="score and decide")
    def decide_link(self, project):
        return format_html(
            '<a href="{}">Score and decide</a>', reverse("admin:submissions_projectproposal_decide", args=[project.pk])
        )
