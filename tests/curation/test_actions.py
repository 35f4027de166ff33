"""Curators hide, obsolete, remove and restore studies and files from the admin (P-HIDE, P-OBSOLETE, P-REMOVE)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from archive.models import ArchiveFile, FileStatus, Study, StudyStatus
from archive.services.accession import study_version_add
from core.errors import NotAllowed, PolicyViolation
from core.models import CurationEvent
from curation.services.actions import files_curate, studies_curate
from tests.curation.public_view import assert_data_kept, assert_tombstone, listed_publicly
from tests.factories import UserFactory, make_study, stored_file, study_metadata

pytestmark = pytest.mark.django_db

STUDY_ACTIONS = ["hide_studies", "unhide_studies", "obsolete_studies", "remove_studies", "restore_studies"]
FILE_ACTIONS = ["obsolete_files", "remove_files", "restore_files"]


@pytest.fixture
def staff_non_curator():
    """A staff user who may read the archive's admin pages but is not a curator."""
    user = UserFactory(username="staff_reader", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_study", "view_archivefile"]))
    return user


def _changelist(model: str) -> str:
    return reverse(f"admin:archive_{model}_changelist")


def _run_action(client, model: str, action: str, objects, **form):
    """Choose an action for the selected rows (its confirmation page), then confirm it; return both answers."""
    selected = [obj.pk for obj in objects]
    page = client.post(_changelist(model), {"action": action, "index": 0, "_selected_action": selected})
    done = client.post(_changelist(model), {"action": action, "_selected_action": selected, "confirm": "yes", **form})
    return page, done


def _events(action: str) -> list[CurationEvent]:
    return list(CurationEvent.objects.filter(action=action).order_by("pk"))


def test_p_hide_admin_action_confirms_then_hides_many_studies(curator_client, curator, anonymous_client):
    first, second = make_study(title="Hidden zebrafish one"), make_study(title="Hidden zebrafish two")
    page, done = _run_action(
        curator_client, "study", "hide_studies", [first, second], reason_category="error", note="Wrong species"
    )

    assert page.status_code == 200
    assert "Reason category" in page.text and first.accession in page.text and second.accession in page.text
    assert done.status_code == 302
    for study in (first, second):
        study.refresh_from_db()
        assert study.searchable is False
        assert anonymous_client.get(reverse("study-detail", args=[study.accession])).status_code == 200
        assert listed_publicly(anonymous_client, study) == {"search": False, "api": False, "sitemap": False}
    events = _events("study.hidden")
    assert [(e.target_id, e.actor, e.reason_category, e.note) for e in events] == [
        (first.accession, curator, "error", "Wrong species"),
        (second.accession, curator, "error", "Wrong species"),
    ]


def test_p_hide_unhide_admin_action_lists_the_study_again(curator_client, curator, anonymous_client):
    study = make_study(title="Unhidden zebrafish", hidden=True)

    _page, done = _run_action(curator_client, "study", "unhide_studies", [study], reason_category="error", note="Fixed")

    assert done.status_code == 302
    study.refresh_from_db()
    assert study.searchable is True and study.status_reason == ""
    assert listed_publicly(anonymous_client, study) == {"search": True, "api": True, "sitemap": True}
    [event] = _events("study.unhidden")
    assert (event.actor, event.note) == (curator, "Fixed")


def test_p_obsolete_admin_action_marks_the_study_publicly_with_reason_and_date(curator_client, anonymous_client):
    study = make_study(title="Obsolete zebrafish atlas")

    _page, done = _run_action(
        curator_client, "study", "obsolete_studies", [study], reason_category="superseded", note="See the new atlas."
    )

    assert done.status_code == 302
    study.refresh_from_db()
    assert study.status == StudyStatus.OBSOLETE
    page = anonymous_client.get(reverse("study-detail", args=[study.accession])).content.decode()
    assert "made obsolete on" in page and "Superseded" in page and "See the new atlas." in page
    assert listed_publicly(anonymous_client, study) == {"search": False, "api": False, "sitemap": True}
    assert listed_publicly(anonymous_client, study, include_obsolete=True)["search"] is True
    [event] = _events("study.obsoleted")
    assert (event.target_type, event.target_id, event.reason_category) == ("study", study.accession, "superseded")


def test_p_remove_admin_action_leaves_a_tombstone_and_keeps_the_data(curator_client, curator, anonymous_client):
    study = make_study(title="Retracted zebrafish hearts")

    _page, done = _run_action(
        curator_client, "study", "remove_studies", [study], reason_category="retraction", note="Journal retracted it"
    )

    assert done.status_code == 302
    assert_tombstone(anonymous_client, study, reason="Publication retracted")
    assert_data_kept(study)
    [event] = _events("study.removed")
    assert (event.actor, event.reason_category, event.note) == (curator, "retraction", "Journal retracted it")
    assert event.data["previous"]["status"] == "released"


def test_p_remove_restore_admin_action_brings_back_the_status_it_had(curator_client, anonymous_client):
    obsolete = make_study(title="Obsolete then removed", status="obsolete")
    confidential = make_study(title="Confidential then removed", status="confidential")
    _run_action(curator_client, "study", "remove_studies", [obsolete, confidential], reason_category="ownership")

    _page, done = _run_action(
        curator_client, "study", "restore_studies", [obsolete, confidential], reason_category="error", note="Mistake"
    )

    assert done.status_code == 302
    obsolete.refresh_from_db()
    confidential.refresh_from_db()
    assert (obsolete.status, obsolete.status_reason, obsolete.status_note) == (
        StudyStatus.OBSOLETE,
        "superseded",
        "Replaced by a newer study.",
    )
    assert confidential.status == StudyStatus.CONFIDENTIAL
    assert anonymous_client.get(reverse("study-detail", args=[obsolete.accession])).status_code == 200
    assert [e.data["status"] for e in _events("study.restored")] == ["obsolete", "confidential"]


def test_p_obsolete_restore_of_an_obsolete_study_releases_it_again(curator):
    study = make_study(status="obsolete")

    [restored] = studies_curate(actor=curator, action="restore", studies=[study], reason_category="error")

    assert (restored.status, restored.status_reason) == (StudyStatus.RELEASED, "")


def test_p_obsolete_files_admin_action_keeps_them_downloadable(curator_client, curator, anonymous_client):
    study = make_study(files=[stored_file("a.txt", b"a"), stored_file("b.txt", b"b")])
    file = study.versions.get().files.get(path="a.txt")

    _page, done = _run_action(curator_client, "archivefile", "obsolete_files", [file], reason_category="error")

    assert done.status_code == 302
    file.refresh_from_db()
    assert (file.status, file.status_reason) == (FileStatus.OBSOLETE, "error")
    assert anonymous_client.get(reverse("study-file", args=[study.accession, "a.txt"])).status_code == 200
    [event] = _events("files.obsoleted")
    assert (event.target_type, event.target_id, event.actor) == ("files", f"{study.accession} v1", curator)
    assert event.data == {"version": 1, "paths": ["a.txt"], "versions": [1]}


def test_p_remove_files_admin_action_answers_410_keeps_bytes_and_can_be_restored(curator_client, anonymous_client):
    study = make_study(files=[stored_file("a.txt", b"a"), stored_file("b.txt", b"b")])
    file = study.versions.get().files.get(path="a.txt")
    url = reverse("study-file", args=[study.accession, "a.txt"])

    _page, done = _run_action(curator_client, "archivefile", "remove_files", [file], reason_category="provenance")

    assert done.status_code == 302
    assert anonymous_client.get(url).status_code == 410
    listed = anonymous_client.get(f"/api/v1/studies/{study.accession}/files/").json()["results"]
    assert [row["path"] for row in listed] == ["b.txt"]
    assert_data_kept(study)

    _run_action(curator_client, "archivefile", "restore_files", [file], reason_category="error")
    assert anonymous_client.get(url).status_code == 200
    assert [e.action for e in CurationEvent.objects.filter(target_type="files").order_by("pk")] == [
        "files.removed",
        "files.restored",
    ]


def test_p_remove_files_of_several_versions_write_one_row_per_version(curator):
    study = make_study(files=[stored_file("a.txt", b"a")])
    study_version_add(study=study, metadata=study_metadata("v2"), files=[stored_file("a.txt", b"a2")])
    files = ArchiveFile.objects.filter(version__study=study)

    assert files_curate(actor=curator, action="remove", files=files, reason_category="other") == 2

    assert sorted(e.target_id for e in _events("files.removed")) == [f"{study.accession} v1", f"{study.accession} v2"]


def test_p_remove_confirmation_page_needs_a_reason_category(curator_client):
    study = make_study()

    _page, again = _run_action(curator_client, "study", "remove_studies", [study], reason_category="", note="Why")

    assert again.status_code == 200 and "This field is required." in again.text
    study.refresh_from_db()
    assert study.status == StudyStatus.RELEASED
    assert not CurationEvent.objects.filter(action="study.removed").exists()


def test_p_obsolete_batch_is_all_or_nothing_and_names_the_study_that_breaks_the_rule(curator_client, curator):
    released, confidential = make_study(), make_study(status="confidential")
    before = CurationEvent.objects.count()

    _page, again = _run_action(
        curator_client, "study", "obsolete_studies", [released, confidential], reason_category="other"
    )

    assert again.status_code == 200
    assert f"{confidential.accession} is confidential" in again.text and "P-OBSOLETE" in again.text
    released.refresh_from_db()
    assert released.status == StudyStatus.RELEASED
    assert CurationEvent.objects.count() == before


def test_p_remove_unknown_reason_category_changes_nothing(curator):
    study = make_study()

    with pytest.raises(PolicyViolation) as raised:
        studies_curate(actor=curator, action="remove", studies=[study], reason_category="boredom")

    assert (raised.value.field, raised.value.rule) == ("reason_category", "P-REMOVE")
    study.refresh_from_db()
    assert study.status == StudyStatus.RELEASED


def test_curator_only_services_refuse_non_curators(submitter):
    study = make_study(owner=submitter)

    with pytest.raises(NotAllowed):
        studies_curate(actor=submitter, action="hide", studies=[study], reason_category="error")
    with pytest.raises(NotAllowed):
        files_curate(actor=submitter, action="remove", files=study.versions.get().files.all(), reason_category="error")


@pytest.mark.parametrize("action", STUDY_ACTIONS)
def test_curator_only_non_curator_staff_get_403_on_every_study_action(client, staff_non_curator, action):
    study = make_study()
    client.force_login(staff_non_curator)

    page, done = _run_action(client, "study", action, [study], reason_category="error")

    assert (page.status_code, done.status_code) == (403, 403)
    assert Study.objects.get(pk=study.pk).status == StudyStatus.RELEASED
    assert not CurationEvent.objects.exclude(action__in=["study.accessioned", "study.released"]).exists()


@pytest.mark.parametrize("action", FILE_ACTIONS)
def test_curator_only_non_curator_staff_get_403_on_every_file_action(client, staff_non_curator, action):
    study = make_study()
    client.force_login(staff_non_curator)

    page, done = _run_action(client, "archivefile", action, study.versions.get().files.all(), reason_category="error")

    assert (page.status_code, done.status_code) == (403, 403)
    assert not CurationEvent.objects.filter(target_type="files").exists()


def test_curator_only_signed_in_non_staff_users_never_reach_the_actions(submitter_client):
    study = make_study()

    _page, done = _run_action(submitter_client, "study", "remove_studies", [study], reason_category="error")

    assert done.status_code == 302 and "/admin/login/" in done["Location"]
    assert Study.objects.get(pk=study.pk).status == StudyStatus.RELEASED


def test_study_admin_page_shows_its_history(curator_client, curator):
    study = make_study()
    studies_curate(actor=curator, action="hide", studies=[study], reason_category="duplicate", note="Twin entry")

    page = curator_client.get(reverse("admin:archive_study_change", args=[study.pk])).content.decode()

    assert "history (audit log)" in page.lower()
    for text in ("study.accessioned", "study.released", "study.hidden", "Twin entry", "duplicate"):
        assert text in page
