"""P-UPLOAD-PRIVATE: curators aside, nobody sees another user's upload area."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["uploadarea", "uploadfile"])
def test_p_upload_private_curators_see_upload_areas_in_the_admin(curator_client, model):
    response = curator_client.get(reverse(f"admin:uploads_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["uploadarea", "uploadfile"])
def test_p_upload_private_staff_who_are_not_curators_do_not(other_user, model, client):
    other_user.is_staff = True
    other_user.save()
    client.force_login(other_user)
    response = client.get(reverse(f"admin:uploads_{model}_changelist"))
    assert response.status_code == 403
