"""The profile and API-token pages under /account/."""

import pytest
from django.urls import reverse
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from accounts.models import Profile
from accounts.services import api_token_regenerate, profile_update
from tests.factories import UserFactory

PROFILE_URL = "/account/profile/"
TOKEN_URL = "/account/api-token/"


def test_account_urls_are_named():
    assert reverse("accounts:profile") == PROFILE_URL
    assert reverse("accounts:api-token") == TOKEN_URL


@pytest.mark.django_db
@pytest.mark.parametrize("url", [PROFILE_URL, TOKEN_URL])
@pytest.mark.parametrize("method", ["get", "post"])
def test_account_pages_send_anonymous_visitors_to_log_in(anonymous_client, url, method):
    response = getattr(anonymous_client, method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"
    assert not Token.objects.exists()
    assert not Profile.objects.exists()


@pytest.mark.django_db
def test_profile_page_shows_username_email_orcid_link_and_affiliation(submitter, submitter_client):
    profile_update(actor=submitter, orcid="0000-0002-1825-0097", affiliation="EMBL-EBI, Hinxton")

    response = submitter_client.get(PROFILE_URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "submitter" in content
    assert "submitter@example.org" in content
    assert '<a href="https://orcid.org/0000-0002-1825-0097"' in content
    assert "EMBL-EBI, Hinxton" in content
    assert '<label class="form-label" for="id_orcid">ORCID iD</label>' in content
    assert 'value="0000-0002-1825-0097"' in content


@pytest.mark.django_db
def test_profile_page_get_creates_no_profile(submitter, submitter_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = submitter_client.get(PROFILE_URL)

    assert response.status_code == 200
    assert "Not given" in response.content.decode()
    assert not Profile.objects.exists()


@pytest.mark.django_db
def test_profile_post_saves_the_bare_orcid_and_affiliation(submitter, submitter_client):
    response = submitter_client.post(
        PROFILE_URL, {"orcid": "https://orcid.org/0000-0002-1694-233X", "affiliation": "Francis Crick Institute"}
    )

    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL
    profile = Profile.objects.get(user=submitter)
    assert (profile.orcid, profile.affiliation) == ("0000-0002-1694-233X", "Francis Crick Institute")
    page = submitter_client.get(PROFILE_URL).content.decode()
    assert "Your profile has been saved." in page
    assert "https://orcid.org/0000-0002-1694-233X" in page


@pytest.mark.django_db
def test_profile_post_with_an_invalid_orcid_shows_a_form_error_and_changes_nothing(submitter, submitter_client):
    profile_update(actor=submitter, orcid="0000-0001-5109-3700", affiliation="EMBL")

    response = submitter_client.post(PROFILE_URL, {"orcid": "0000-0002-1825-0098", "affiliation": "Elsewhere"})

    assert response.status_code == 200
    assert "check digit does not match" in " ".join(response.context["form"].errors["orcid"])
    content = response.content.decode()
    assert "check digit does not match" in content
    assert 'aria-invalid="true"' in content
    assert 'value="0000-0002-1825-0098"' in content  # what was typed stays, to correct it
    profile = Profile.objects.get(user=submitter)
    assert (profile.orcid, profile.affiliation) == ("0000-0001-5109-3700", "EMBL")


@pytest.mark.django_db
def test_profile_post_with_junk_orcid_shows_the_format(submitter, submitter_client):
    response = submitter_client.post(PROFILE_URL, {"orcid": "my orcid", "affiliation": ""})

    assert response.status_code == 200
    assert "0000-0000-0000-0000" in response.content.decode()
    assert not Profile.objects.exists()


@pytest.mark.django_db
def test_profile_post_changes_only_the_signed_in_users_profile(submitter, other_user, submitter_client):
    profile_update(actor=other_user, orcid="0000-0001-5109-3700", affiliation="Other lab")

    submitter_client.post(PROFILE_URL, {"orcid": "", "affiliation": "EMBL", "user": other_user.pk})

    assert Profile.objects.get(user=other_user).affiliation == "Other lab"
    assert Profile.objects.get(user=submitter).affiliation == "EMBL"


@pytest.mark.django_db
def test_api_token_page_without_a_token_offers_to_create_one_and_creates_nothing(submitter_client):
    response = submitter_client.get(TOKEN_URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "You have no API token yet." in content
    assert "Create a token" in content
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_api_token_page_shows_the_key_and_how_to_use_it(submitter, submitter_client):
    token = api_token_regenerate(user=submitter)

    response = submitter_client.get(TOKEN_URL)

    content = response.content.decode()
    assert f'value="{token.key}"' in content
    assert f'curl -H "Authorization: Token {token.key}" http://testserver/api/v1/studies/' in content
    assert "Regenerate token" in content


@pytest.mark.django_db
def test_api_token_post_creates_then_regenerates_the_key(submitter, submitter_client):
    response = submitter_client.post(TOKEN_URL)
    assert response.status_code == 302
    assert response["Location"] == TOKEN_URL
    first_key = Token.objects.get(user=submitter).key

    submitter_client.post(TOKEN_URL)

    new_key = Token.objects.get(user=submitter).key
    assert new_key != first_key
    page = submitter_client.get(TOKEN_URL).content.decode()
    assert new_key in page
    assert first_key not in page
    # The old key no longer authenticates anyone; the new one authenticates the owner.
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(first_key)
    assert TokenAuthentication().authenticate_credentials(new_key)[0] == submitter


@pytest.mark.django_db
def test_api_token_page_never_shows_another_users_token(submitter, other_user, submitter_client):
    other_key = api_token_regenerate(user=other_user).key

    without_own = submitter_client.get(TOKEN_URL).content.decode()
    submitter_client.post(TOKEN_URL)
    with_own = submitter_client.get(TOKEN_URL).content.decode()

    assert other_key not in without_own
    assert other_key not in with_own
    assert Token.objects.get(user=other_user).key == other_key


@pytest.mark.django_db
def test_allauth_pages_render_in_the_portal_layout(anonymous_client):
    response = anonymous_client.get(reverse("account_login"))

    assert response.status_code == 200
    assert [t.name for t in response.templates][:3] == [
        "account/login.html",
        "account/base_entrance.html",
        "allauth/layouts/entrance.html",
    ]
    assert "base.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "Skip to main content" in content
    assert '<label class="form-label" for="id_login">' in content
    assert 'class="btn btn-primary"' in content


@pytest.mark.django_db
def test_admin_lists_and_searches_profiles(client):
    admin_user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    for name, orcid in [("ada", "0000-0002-1825-0097"), ("grace", "0000-0001-5109-3700")]:
        profile_update(actor=UserFactory(username=name), orcid=orcid, affiliation=f"{name} lab")
    client.force_login(admin_user)

    response = client.get(reverse("admin:accounts_profile_changelist"), {"q": "5109"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list.values_list("user__username", flat=True)) == ["grace"]
    assert "grace lab" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored", "status"),
    [("https://orcid.org/0000-0002-1694-233x", "0000-0002-1694-233X", 302), ("0000-0002-1825-0098", "", 200)],
)
def test_admin_profile_form_checks_and_normalises_the_orcid(client, typed, stored, status):
    admin_user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    person = UserFactory(username="ada")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:accounts_profile_add"), {"user": person.pk, "orcid": typed, "affiliation": "EMBL"}
    )

    assert response.status_code == status
    assert list(Profile.objects.values_list("orcid", flat=True)) == ([stored] if stored else [])


@pytest.mark.django_db
def test_profile_name_is_saved_and_offered_as_a_new_drafts_first_author(submitter, submitter_client):
    from submissions.services.drafts import submission_create_draft

    submitter_client.post(
        PROFILE_URL,
        {"given_name": " Ada ", "family_name": "Lovelace", "orcid": "0000-0002-1825-0097", "affiliation": "EMBL"},
    )
    draft = submission_create_draft(owner=submitter, metadata={"title": "Draft"})

    submitter.refresh_from_db()
    assert (submitter.first_name, submitter.last_name) == ("Ada", "Lovelace")
    assert "Ada Lovelace" in submitter_client.get(PROFILE_URL).content.decode()
    step = submitter_client.get(reverse("submissions:step", args=[draft.pk, "metadata"])).content.decode()
    assert 'value="Ada Lovelace"' in step and 'value="0000-0002-1825-0097"' in step
    assert "a new study starts with you as its first author" not in step


@pytest.mark.django_db
def test_the_metadata_step_says_where_to_give_your_name_when_the_profile_has_none(submitter, submitter_client):
    from submissions.services.drafts import submission_create_draft

    draft = submission_create_draft(owner=submitter, metadata={"title": "Draft"})

    step = submitter_client.get(reverse("submissions:step", args=[draft.pk, "metadata"])).content.decode()

    assert "a new study starts with you as its first author" in step and PROFILE_URL in step
