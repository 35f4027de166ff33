import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.admin import FILES_INLINE_LIMIT
from archive.models import ArchiveFile, ReleaseDateChange, ReviewerLink, Study, StudyVersion
from archive.services.access import reviewer_link_create
from archive.services.release import study_release_date_change
from tests.factories import UserFactory, make_curator, make_study, stored_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_curator():
    user = make_curator("staff_curator")
    user.is_staff = True  # the admin lets in staff only
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("root", "root@example.org", "a long admin password")


@pytest.fixture(params=["superuser", "staff_curator"])
def admin_client(request):
    client = Client()
    client.force_login(request.getfixturevalue(request.param))
    return client


@pytest.fixture
def study(submitter):
    return make_study(owner=submitter)


def _pks(study: Study) -> dict[str, int]:
    version = study.versions.get()
    return {"study": study.pk, "studyversion": version.pk, "archivefile": version.files.first().pk}


@pytest.mark.parametrize("name", ["study", "studyversion", "archivefile"])
def test_admin_changelist_and_change_page_open(admin_client, study, name):
    pk = _pks(study)[name]
    assert admin_client.get(reverse(f"admin:archive_{name}_changelist")).status_code == 200
    response = admin_client.get(reverse(f"admin:archive_{name}_change", args=[pk]))
    assert response.status_code == 200


def test_admin_study_change_page_lists_versions_and_links_files(admin_client, study):
    response = admin_client.get(reverse("admin:archive_study_change", args=[study.pk]))
    version = study.versions.get()
    assert f"?version__id__exact={version.pk}" in response.text
    files = admin_client.get(reverse("admin:archive_archivefile_changelist") + f"?version__id__exact={version.pk}")
    assert files.status_code == 200
    assert "images/cell_01.tif" in files.text


def _assert_delete_refused(client, name, pk):
    url = reverse(f"admin:archive_{name}_delete", args=[pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403


def test_p_permanent_admin_cannot_delete_study(admin_client, study):
    _assert_delete_refused(admin_client, "study", study.pk)
    assert Study.objects.filter(pk=study.pk).exists()


def test_p_permanent_admin_cannot_delete_version(admin_client, study):
    version = study.versions.get()
    _assert_delete_refused(admin_client, "studyversion", version.pk)
    assert StudyVersion.objects.filter(pk=version.pk).exists()


def test_p_permanent_admin_cannot_delete_file(admin_client, study):
    file = ArchiveFile.objects.filter(version__study=study).first()
    _assert_delete_refused(admin_client, "archivefile", file.pk)
    assert ArchiveFile.objects.filter(pk=file.pk).exists()


@pytest.mark.parametrize("name", ["study", "studyversion", "archivefile"])
def test_p_permanent_admin_offers_no_delete_selected_action(admin_client, study, name):
    changelist = reverse(f"admin:archive_{name}_changelist")
    response = admin_client.get(changelist)
    assert "delete_selected" not in response.text

    pk = _pks(study)[name]
    admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [pk], "post": "yes"})
    assert Study.objects.filter(pk=study.pk).exists()
    assert StudyVersion.objects.filter(study=study).count() == 1
    assert ArchiveFile.objects.filter(version__study=study).count() == 2


@pytest.mark.parametrize("name", ["study", "studyversion", "archivefile"])
def test_admin_cannot_add_archive_records(admin_client, name):
    assert admin_client.get(reverse(f"admin:archive_{name}_add")).status_code == 403


def test_admin_change_form_does_not_change_the_study(admin_client, study):
    url = reverse("admin:archive_study_change", args=[study.pk])
    admin_client.post(url, {"title": "Rewritten", "status": "removed", "versions-TOTAL_FORMS": "0"})
    study.refresh_from_db()
    assert study.title == "Mitochondrial dynamics in HeLa cells"
    assert study.status == "released"


@pytest.mark.parametrize("name", ["study", "studyversion", "archivefile"])
def test_admin_changelist_queries_do_not_grow_with_rows(admin_client, submitter, name):
    make_study(owner=submitter)
    url = reverse(f"admin:archive_{name}_changelist")
    admin_client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for n in range(4):
        make_study(owner=submitter, title=f"Study {n}", files=[stored_file(f"img_{n}.png", f"px{n}".encode())])
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) == len(few)


def test_admin_version_with_many_files_links_instead_of_inline(admin_client, submitter):
    files = [stored_file(f"raw/tile_{i:03}.tif", f"tile {i}".encode()) for i in range(FILES_INLINE_LIMIT + 1)]
    version = make_study(owner=submitter, files=files).versions.get()
    response = admin_client.get(reverse("admin:archive_studyversion_change", args=[version.pk]))
    assert response.status_code == 200
    assert "raw/tile_000.tif" not in response.text
    assert f"{FILES_INLINE_LIMIT + 1} files" in response.text


@pytest.fixture
def reviewer_link(submitter):
    study = make_study(owner=submitter, status="confidential", title="Zebrafish hearts under review")
    link, _token = reviewer_link_create(study=study, actor=submitter, anonymised=True)
    return link


def test_admin_lists_reviewer_links_without_their_token_hash(admin_client, reviewer_link):
    response = admin_client.get(reverse("admin:archive_reviewerlink_changelist"))
    assert response.status_code == 200
    assert reviewer_link.study.accession in response.text
    assert reviewer_link.token_hash not in response.text
    change = admin_client.get(reverse("admin:archive_reviewerlink_change", args=[reviewer_link.pk]))
    assert change.status_code == 200
    assert reviewer_link.token_hash not in change.text


def test_admin_hides_reviewer_links_from_staff_who_are_not_curators(reviewer_link):
    client = Client()
    client.force_login(UserFactory(username="helpdesk", is_staff=True))
    assert client.get(reverse("admin:archive_reviewerlink_changelist")).status_code == 403
    assert client.get(reverse("admin:archive_reviewerlink_change", args=[reviewer_link.pk])).status_code == 403


def test_admin_cannot_add_delete_or_change_reviewer_links(admin_client, reviewer_link):
    assert admin_client.get(reverse("admin:archive_reviewerlink_add")).status_code == 403
    _assert_delete_refused(admin_client, "reviewerlink", reviewer_link.pk)
    change = reverse("admin:archive_reviewerlink_change", args=[reviewer_link.pk])
    response = admin_client.post(change, {"anonymised": "", "revoked_at_0": "2026-01-01", "revoked_at_1": "00:00:00"})
    assert response.status_code == 403
    reviewer_link.refresh_from_db()
    assert reviewer_link.anonymised is True
    assert reviewer_link.revoked_at is None
    assert ReviewerLink.objects.filter(pk=reviewer_link.pk).exists()


def test_admin_reviewer_link_changelist_queries_do_not_grow_with_rows(admin_client, submitter, reviewer_link):
    url = reverse("admin:archive_reviewerlink_changelist")
    admin_client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for n in range(3):
        study = make_study(owner=submitter, status="confidential", title=f"Under review {n}")
        reviewer_link_create(study=study, actor=submitter)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) == len(few)


def test_p_release_date_change_history_is_read_only_in_the_admin(curator_client, submitter):
    study = make_study(owner=submitter, status="confidential")
    study_release_date_change(
        study=study, actor=submitter, release_date=study.release_date + datetime.timedelta(days=1)
    )
    change = ReleaseDateChange.objects.get()
    assert curator_client.get(reverse("admin:archive_releasedatechange_changelist")).status_code == 200
    assert curator_client.get(reverse("admin:archive_releasedatechange_add")).status_code == 403
    assert (
        curator_client.post(
            reverse("admin:archive_releasedatechange_delete", args=[change.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert ReleaseDateChange.objects.filter(pk=change.pk).exists()
