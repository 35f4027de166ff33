"""Writes to accounts: profiles and API tokens."""

from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import Profile
from core.errors import NotAllowed
from core.orcid import orcid_validate


def profile_get_or_create(*, user) -> Profile:
    """Return the user's profile, creating an empty one the first time it is needed."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def profile_update(
    *, actor, orcid: str, affiliation: str, given_name: str | None = None, family_name: str | None = None
) -> Profile:
    """Set the actor's own ORCID iD (optional, stored bare), affiliation and, when given, name.

    Raises ValidationError keyed by field when the ORCID iD is not valid, and NotAllowed when
    nobody is signed in; nothing changes then.
    """
    if not actor or not actor.is_authenticated:
        raise NotAllowed(rule="AUTH", field="actor", message="Sign in to change your profile.")
    orcid = (orcid or "").strip()
    if orcid:
        try:
            orcid = orcid_validate(orcid)
        except ValidationError as exc:
            raise ValidationError({"orcid": exc.error_list}) from exc
    with transaction.atomic():
        profile = profile_get_or_create(user=actor)
        profile.orcid = orcid
        profile.affiliation = (affiliation or "").strip()
        profile.save(update_fields=["orcid", "affiliation", "updated_at"])
        if given_name is not None or family_name is not None:
            actor.first_name, actor.last_name = (given_name or "").strip(), (family_name or "").strip()
            actor.save(update_fields=["first_name", "last_name"])
    return profile


def api_token_regenerate(*, user) -> Token:
    """Replace the user's API token with a new one; the old key stops working at once."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)
