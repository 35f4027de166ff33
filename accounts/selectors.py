"""Reads for accounts pages. Each reads only the given user's own records."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Q
from rest_framework.authtoken.models import Token

from accounts.models import Profile


def profile_for(*, user) -> Profile:
    """Return the user's profile, or an unsaved empty one if they have never edited it."""
    return Profile.objects.filter(user=user).select_related("user").first() or Profile(user=user)


def api_token_for(*, user) -> Token | None:
    """Return the user's API token, or None if they have not created one."""
    return Token.objects.filter(user=user).first()


def login_account_name(*, login: str) -> str:
    """Return the username of the account `login` names, by username or any of its e-mail addresses in any case.

    A name of no account comes back as typed, in lower case, so that its failed log-ins count together too.
    """
    login = login.strip()
    if not login:
        return ""
    names = Q(username__iexact=login) | Q(email__iexact=login)
    names |= Q(pk__in=EmailAddress.objects.filter(email__iexact=login).values("user_id"))
    username = get_user_model().objects.filter(names).order_by("pk").values_list("username", flat=True).first()
    return username or login.lower()
