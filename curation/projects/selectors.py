"""Read side of structured-project proposals (P-PROJECT): a proposer's own, and one its proposer or a curator sees."""

from django.db.models import QuerySet
from django.http import Http404

from core.roles import user_is_curator
from submissions.models import ProjectProposal


def projects_of(*, user) -> QuerySet[ProjectProposal]:
    """Return the proposals `user` made, newest first."""
    return ProjectProposal.objects.filter(proposer=user).order_by("-created_at", "-pk")


def project_get_visible(*, user, pk: int) -> ProjectProposal:
    """Return a proposal its proposer or a curator may see; raise Http404 for everyone else."""
    try:
        project = ProjectProposal.objects.select_related("proposer", "decided_by").get(pk=pk)
    except ProjectProposal.DoesNotExist:
        raise Http404("No such project proposal.") from None
    if project.proposer_id != user.pk and not user_is_curator(user):
        raise Http404("No such project proposal.")
    return project
