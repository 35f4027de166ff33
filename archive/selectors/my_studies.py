"""'My studies': the studies a signed-in user owns or was invited to, in every status."""

from django.db.models import Q, QuerySet

from archive.models import Study, StudyStatus
from archive.selectors.visibility import studies_visible_to, study_ids_granted_to


def studies_of_user(user) -> QuerySet[Study]:
    """Return the studies `user` owns or collaborates on, newest first.

    They are the studies `studies_visible_to` lets the user open, plus the user's own
    removed studies: those do not open (P-REMOVE), so their rows show only what their
    public tombstone shows. A curator's list holds their own studies, not every study.
    """
    if user is None or not user.is_authenticated:
        return Study.objects.none()
    mine = Q(owner=user) | Q(pk__in=study_ids_granted_to(user))
    openable = Q(pk__in=studies_visible_to(user).values("pk"))
    own_tombstones = Q(owner=user, status=StudyStatus.REMOVED)
    return Study.objects.defer("search_vector").select_related("licence").filter(mine).filter(openable | own_tombstones)
