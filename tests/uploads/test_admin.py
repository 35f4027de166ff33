"""The uploads admin: areas with usage and deadlines, files with days left, deletes through the service."""

import datetime

import pytest
import time_machine
from django.test import Client

from tests.factories import UserFactory
from uploads.models import UploadArea, UploadFile
from uploads.services.upload import upload_file_put
from uploads.storage import upload_storage_path

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
AREAS_URL = "/admin/uploads/uploadarea/"
FILES_URL = "/admin/uploads/uploadfile/"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def admin_client():
    # Curators cannot see upload areas until the curators group gets the uploads view permissions.
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _put(owner, path: str, content: bytes = b"pixels", *, days_ago: int = 0, size: int | None = None):
    return upload_file_put(
        owner=owner, relative_path=path, content=content, size=size, now=NOW - datetime.timedelta(days=days_ago)
    )


def _areas(count: int) -> None:
    for n in range(count):
        owner = UserFactory(username=f"owner{n:02}")
        _put(owner, "a.tif", days_ago=10)
        _put(owner, "b.tif", days_ago=30)


@pytest.mark.parametrize("rows", [5, 50])
def test_area_changelist_costs_the_same_queries_for_5_or_50_areas(admin_client, django_assert_max_num_queries, rows):
    _areas(rows)
    # Session, user, the two counts and the annotated rows: none per row.
    with django_assert_max_num_queries(5):
        response = admin_client.get(AREAS_URL)
    assert response.status_code == 200
    assert response.content.decode().count('class="field-usage_display"') == rows


@pytest.mark.parametrize("rows", [5, 50])
def test_file_changelist_costs_the_same_queries_for_5_or_50_files(admin_client, django_assert_max_num_queries, rows):
    _areas((rows + 1) // 2)
    with django_assert_max_num_queries(5):
        response = admin_client.get(FILES_URL)
    assert response.status_code == 200
    assert response.content.decode().count('class="field-days_left"') == 2 * ((rows + 1) // 2)


def test_p_upload_retention_area_list_shows_owner_usage_files_quota_oldest_file_and_next_deletion(
    admin_client, submitter
):
    _put(submitter, "plate/A01.tif", b"x" * 3000, days_ago=80)
    _put(submitter, "plate/A02.tif", b"x" * 2000, days_ago=5)
    _put(submitter, "stack/z0.tif", b"x" * 100, size=1000, days_ago=40)  # unfinished: counts its declared size

    response = admin_client.get(AREAS_URL)

    area = response.context["cl"].result_list[0]
    assert area.owner == submitter
    assert area.usage == 6000 and area.files_count == 3
    assert area.oldest_file_at == NOW - datetime.timedelta(days=80)
    assert area.next_deletion_at == UploadFile.objects.get(relative_path="plate/A01.tif").expires_at
    body = response.content.decode()
    assert "submitter" in body and "5.9\xa0KB" in body and "1.0\xa0TB" in body


def test_p_upload_retention_file_list_shows_owner_state_dates_and_days_left(admin_client, submitter, other_user):
    _put(submitter, "plate/A01.tif", days_ago=80)  # deleted on 13 June: 12 days left
    _put(other_user, "theirs/B01.tif", days_ago=1)

    response = admin_client.get(FILES_URL, {"q": "submitter"})

    body = response.content.decode()
    assert "plate/A01.tif" in body and "theirs/B01.tif" not in body
    assert '<td class="field-days_left">12</td>' in body
    assert '<td class="field-owner">submitter</td>' in body
    assert "theirs/B01.tif" in admin_client.get(FILES_URL, {"q": "B01"}).content.decode()


def test_file_list_filters_by_state(admin_client, submitter):
    _put(submitter, "done.tif")
    _put(submitter, "half.tif", b"abc", size=10)

    body = admin_client.get(FILES_URL, {"state__exact": "uploading"}).content.decode()

    assert "half.tif" in body and "done.tif" not in body


def test_deleting_a_file_in_the_admin_removes_its_bytes_and_row(admin_client, submitter):
    upload = _put(submitter, "plate/A01.tif")
    stored = upload_storage_path(upload.storage_name)

    response = admin_client.post(f"{FILES_URL}{upload.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not UploadFile.objects.filter(pk=upload.pk).exists()
    assert not stored.exists()


def test_deleting_selected_files_in_the_admin_removes_their_bytes_and_rows_only(admin_client, submitter):
    chosen = [_put(submitter, f"old/{n}.tif") for n in range(3)]
    kept = _put(submitter, "keep.tif")

    response = admin_client.post(
        FILES_URL, {"action": "delete_selected", "_selected_action": [u.pk for u in chosen], "post": "yes"}
    )

    assert response.status_code == 302
    assert list(UploadFile.objects.values_list("pk", flat=True)) == [kept.pk]
    assert [upload_storage_path(u.storage_name).exists() for u in chosen] == [False, False, False]
    assert upload_storage_path(kept.storage_name).exists()


def test_files_are_read_only_and_areas_cannot_be_deleted_in_the_admin(admin_client, submitter):
    upload = _put(submitter, "plate/A01.tif")
    area = UploadArea.objects.get(owner=submitter)

    assert admin_client.get(f"{FILES_URL}add/").status_code == 403
    page = admin_client.get(f"{FILES_URL}{upload.pk}/change/").content.decode()
    assert 'name="expires_at"' not in page
    assert admin_client.get(f"{AREAS_URL}{area.pk}/delete/").status_code == 403
    admin_client.post(f"{AREAS_URL}{area.pk}/change/", {"quota_bytes": 5000})
    area.refresh_from_db()
    assert area.quota_bytes == 5000


def test_p_upload_private_users_without_staff_rights_cannot_open_the_uploads_admin(submitter_client, submitter):
    _put(submitter, "plate/A01.tif")
    for url in (AREAS_URL, FILES_URL):
        response = submitter_client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
