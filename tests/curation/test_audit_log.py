"""The audit log: every state change writes one append-only CurationEvent, which nothing can change."""

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from archive.services.access import (
    reviewer_link_create,
    reviewer_link_revoke,
    study_collaborator_invite,
    study_collaborator_remove,
)
from archive.services.accession import study_version_add
from archive.services.status import study_hide
from archive.tasks import studies_release_due
from core.errors import NotAllowed
from core.models import AppendOnlyError, CurationEvent
from tests.factories import UserFactory, make_study, stored_file, study_metadata

pytestmark = pytest.mark.django_db


def _actions(study) -> list[tuple]:
    return list(CurationEvent.objects.filter(study=study).order_by("pk").values_list("action", "actor__username"))


@pytest.fixture
def event(curator):
    study = make_study()
    study_hide(study=study, actor=curator, reason_category="error", note="Original note")
    return CurationEvent.objects.get(action="study.hidden")


# --- What writes a row -----------------------------------------------------------------


def test_accessioning_writes_a_row_and_releasing_at_once_another(submitter):
    study = make_study(owner=submitter)

    assert _actions(study) == [("study.accessioned", None), ("study.released", None)]
    accessioned = CurationEvent.objects.get(action="study.accessioned")
    assert (accessioned.target_type, accessioned.target_id) == ("study", study.accession)
    assert accessioned.data["owner"] == "submitter" and accessioned.data["files"] == 2


def test_a_new_version_writes_a_row(submitter):
    study = make_study(owner=submitter)

    study_version_add(
        study=study,
        metadata=study_metadata("Second"),
        files=[stored_file("x.txt", b"x")],
        note="Fixed",
        actor=submitter,
    )

    [event] = CurationEvent.objects.filter(action="study.version_added")
    assert (event.actor, event.note, event.data) == (submitter, "Fixed", {"version": 2, "files": 1})


def test_p_release_date_release_job_writes_its_row_and_mails_the_owner_on_commit(
    submitter, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.PORTAL_URL = "https://archive.example.org/"
    study = make_study(owner=submitter, status="confidential", title="Embargoed zebrafish")

    release_day = time_machine.travel(study.release_date.isoformat() + "T06:00Z", tick=False)
    with release_day, django_capture_on_commit_callbacks() as callbacks:
        assert studies_release_due() == [study.accession]
        assert mailoutbox == []  # nothing is sent before the commit
    for callback in callbacks:
        callback()

    [event] = CurationEvent.objects.filter(action="study.released")
    assert (event.actor, event.target_id, event.data) == (
        None,
        study.accession,
        {"release_date": str(study.release_date)},
    )
    [mail] = mailoutbox
    assert mail.to == ["submitter@example.org"]
    assert mail.subject == f"[{settings.PORTAL_NAME}] {study.accession} is now public"
    assert f"https://archive.example.org/studies/{study.accession}/" in mail.body
    assert "Embargoed zebrafish" in mail.body
    assert studies_release_due() == []  # a second run releases, logs and mails nothing
    assert CurationEvent.objects.filter(action="study.released").count() == 1


def test_reviewer_links_and_collaborators_write_rows(submitter, other_user):
    study = make_study(owner=submitter, status="confidential")

    link, _token = reviewer_link_create(study=study, actor=submitter, anonymised=True)
    reviewer_link_revoke(link=link, actor=submitter)
    reviewer_link_revoke(link=link, actor=submitter)  # a second revoke changes nothing, logs nothing
    study_collaborator_invite(study=study, actor=submitter, username_or_email="other_user")
    study_collaborator_remove(study=study, actor=submitter, username="other_user")

    assert _actions(study)[1:] == [
        ("reviewer_link.created", "submitter"),
        ("reviewer_link.revoked", "submitter"),
        ("collaborator.added", "submitter"),
        ("collaborator.removed", "submitter"),
    ]
    created = CurationEvent.objects.get(action="reviewer_link.created")
    assert (created.target_type, created.target_id, created.data["anonymised"]) == ("reviewer_link", str(link.pk), True)
    assert CurationEvent.objects.get(action="collaborator.added").data == {"user": "other_user"}


def test_a_refused_change_writes_no_row(submitter, other_user):
    study = make_study(owner=submitter, status="confidential")
    before = CurationEvent.objects.count()

    with pytest.raises(NotAllowed):
        reviewer_link_create(study=study, actor=other_user)

    assert CurationEvent.objects.count() == before


# --- Nothing changes a row ----------------------------------------------------------------


def test_the_model_refuses_to_change_or_delete_a_row(event):
    event.note = "Rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        CurationEvent.objects.filter(pk=event.pk).update(note="Rewritten")
    with pytest.raises(AppendOnlyError):
        CurationEvent.objects.filter(pk=event.pk).delete()
    assert CurationEvent.objects.get(pk=event.pk).note == "Original note"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_the_database_refuses_raw_updates_and_deletes(event):
    for sql in (
        "UPDATE curation_curationevent SET note = 'x' WHERE id = %s",
        "DELETE FROM curation_curationevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert CurationEvent.objects.get(pk=event.pk).note == "Original note"


def test_the_admin_lists_and_filters_the_log_for_curators(curator_client, event):
    url = reverse("admin:core_curationevent_changelist")

    listed = curator_client.get(url, {"action": "study.hidden", "q": event.target_id})
    other = curator_client.get(url, {"action": "study.removed"})

    assert listed.status_code == 200 and "Original note" in listed.text
    assert other.status_code == 200 and "Original note" not in other.text
    assert curator_client.get(url, {"at__year": "2026"}).status_code == 200


def test_the_admin_cannot_add_change_or_delete_a_row(curator_client, event):
    change = reverse("admin:core_curationevent_change", args=[event.pk])

    page = curator_client.get(change)
    assert page.status_code == 200 and 'name="note"' not in page.text  # read-only
    assert curator_client.post(change, {"note": "Rewritten"}).status_code == 403
    assert curator_client.post(reverse("admin:core_curationevent_delete", args=[event.pk])).status_code == 403
    assert curator_client.get(reverse("admin:core_curationevent_add")).status_code == 403
    actions = curator_client.post(
        reverse("admin:core_curationevent_changelist"),
        {"action": "delete_selected", "index": 0, "_selected_action": [event.pk], "post": "yes"},
    )
    assert actions.status_code == 200  # no such action: the list again
    assert CurationEvent.objects.get(pk=event.pk).note == "Original note"


def test_the_audit_admin_is_closed_to_staff_who_are_not_curators(event):
    staff = UserFactory(username="staff_reader", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="curation"))
    client = Client()
    client.force_login(staff)

    assert client.get(reverse("admin:core_curationevent_changelist")).status_code == 403
    assert client.get(reverse("admin:core_curationevent_change", args=[event.pk])).status_code == 403


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_api_offers_no_way_to_change_the_log(curator, event, method):
    client = Client()
    client.force_login(curator)

    answer = getattr(client, method)(
        f"/api/v1/curation/studies/{event.target_id}/hide/", {"note": "x"}, content_type="application/json"
    )

    assert answer.status_code == 405
    assert CurationEvent.objects.get(pk=event.pk).note == "Original note"
