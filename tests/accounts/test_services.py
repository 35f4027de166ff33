import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token

from accounts.models import Profile
from accounts.services import api_token_regenerate, profile_get_or_create, profile_update


def test_profile_get_or_create_makes_one_profile_per_user(submitter):
    first = profile_get_or_create(user=submitter)
    second = profile_get_or_create(user=submitter)
    assert first.pk == second.pk
    assert Profile.objects.filter(user=submitter).count() == 1
    assert (first.orcid, first.affiliation) == ("", "")


def test_profile_update_stores_the_bare_orcid_and_affiliation(submitter):
    profile = profile_update(actor=submitter, orcid="https://orcid.org/0000-0002-1694-233x", affiliation="  EMBL-EBI  ")
    profile.refresh_from_db()
    assert profile.orcid == "0000-0002-1694-233X"
    assert profile.affiliation == "EMBL-EBI"
    assert profile.orcid_url == "https://orcid.org/0000-0002-1694-233X"


def test_profile_update_clears_the_orcid_when_blank(submitter):
    profile_update(actor=submitter, orcid="0000-0002-1825-0097", affiliation="EMBL")
    profile = profile_update(actor=submitter, orcid="  ", affiliation="EMBL")
    assert Profile.objects.get(user=submitter).orcid == ""
    assert profile.orcid_url == ""


def test_profile_update_with_an_invalid_orcid_raises_a_field_error_and_changes_nothing(submitter):
    profile_update(actor=submitter, orcid="0000-0002-1825-0097", affiliation="EMBL")
    with pytest.raises(ValidationError) as exc_info:
        profile_update(actor=submitter, orcid="0000-0002-1825-0098", affiliation="Elsewhere")
    assert list(exc_info.value.message_dict) == ["orcid"]
    profile = Profile.objects.get(user=submitter)
    assert (profile.orcid, profile.affiliation) == ("0000-0002-1825-0097", "EMBL")


def test_profile_update_changes_only_the_actors_profile(submitter, other_user):
    profile_update(actor=other_user, orcid="0000-0001-5109-3700", affiliation="Other lab")
    profile_update(actor=submitter, orcid="0000-0002-1825-0097", affiliation="EMBL")
    assert Profile.objects.get(user=other_user).orcid == "0000-0001-5109-3700"


def test_api_token_regenerate_replaces_the_key(submitter):
    first = api_token_regenerate(user=submitter)
    second = api_token_regenerate(user=submitter)
    assert first.key != second.key
    assert list(Token.objects.filter(user=submitter).values_list("key", flat=True)) == [second.key]


def test_api_token_regenerate_leaves_other_users_tokens_alone(submitter, other_user):
    other_token = api_token_regenerate(user=other_user)
    api_token_regenerate(user=submitter)
    assert Token.objects.get(user=other_user).key == other_token.key
