"""Reads for accounts pages. Each reads only the given user's own records."""

from rest_framework.authtoken.models import Token

from accounts.models import Profile


def profile_for(*, user) -> Profile:
    """Return the user's profile, or an unsaved empty one if they have never edited it."""
    return Profile.objects.filter(user=user).select_related("user").first() or Profile(user=user)


def api_token_for(*, user) -> Token | None:
    """Return the user's API token, or None if they have not created one."""
    return Token.objects.filter(user=user).first()
