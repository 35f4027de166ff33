"""Who holds a role: the one place that decides whether a user is a curator."""

from core.errors import NotAllowed

# The group's name; accounts.groups makes the group and gives it its permissions.
CURATORS_GROUP = "curators"


def user_is_curator(user) -> bool:
    """Return whether `user` is a member of `curators` or a superuser."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # Cached on the user object: one query per request, not per check.
    if not hasattr(user, "_is_curator"):
        user._is_curator = user.groups.filter(name=CURATORS_GROUP).exists()
    return user._is_curator


def curator_required(actor, *, rule: str, message: str) -> None:
    """Raise NotAllowed (403) under `rule`, with `message`, unless `actor` is a curator or a superuser."""
    if not user_is_curator(actor):
        raise NotAllowed(rule=rule, field="actor", message=message)
