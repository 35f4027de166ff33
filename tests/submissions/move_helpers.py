"""Builders and probes shared by the submit and move tests."""

import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from archive.storage import archive_storage
from curation.projects.services import project_decide, project_propose, project_score
from submissions import scope
from submissions.services import (
    submission_acknowledge,
    submission_certify_scope,
    submission_create_draft,
    submission_files_set,
)
from tests.factories import study_metadata
from uploads.models import UploadFile, UploadState
from uploads.services.retention import upload_expiry_after
from uploads.services.upload import upload_area_get_or_create, upload_file_put

ACCEPTED_ANSWERS = {
    "human_material": "no",
    "primary_medical_use": "no",
    "identifiable_individual": "not_applicable",
    "identifying_phenotypic_data": "not_applicable",
    "publication_consent": "not_applicable",
    "public_release_consent": "yes",
}
NEEDS_REVIEW_ANSWERS = {
    "human_material": "yes",
    "primary_medical_use": "no",
    "identifiable_individual": "yes",
    "identifying_phenotypic_data": "no",
    "publication_consent": "yes",
    "public_release_consent": "yes",
}


def file_contents(n: int, prefix: str = "") -> dict[str, bytes]:
    """n files of distinct content and size; one pair of identical contents shows content addressing."""
    contents = {f"{prefix}images/plate{i}/img{i}.tif": f"{prefix}-{i}-".encode() * (i + 1) for i in range(n)}
    contents[f"{prefix}copy/img0.tif"] = contents[f"{prefix}images/plate0/img0.tif"]
    return contents


def ready_draft(owner, contents: dict[str, bytes], answers: dict = ACCEPTED_ANSWERS, **draft):
    """A draft that meets every rule, its files uploaded and chosen."""
    uploads = [upload_file_put(owner=owner, relative_path=path, content=data) for path, data in contents.items()]
    submission = submission_create_draft(
        owner=owner, metadata=study_metadata(), release_date=draft.get("release_date", timezone.localdate())
    )
    submission_certify_scope(submission=submission, actor=owner, form_version=scope.SCOPE_FORM_VERSION, answers=answers)
    submission_acknowledge(submission=submission, actor=owner, public_disclosure=True, right_to_submit=True)
    submission_files_set(submission=submission, actor=owner, upload_file_ids=[u.pk for u in uploads])
    return submission, uploads


def decided_project(proposer, curator, decision: str):
    """A structured project `proposer` proposed, scored and decided by `curator` (P-PROJECT)."""
    project = project_propose(
        actor=proposer,
        name="HeLa organelle atlas",
        description="Reference images of every organelle.",
        category="lasting_reuse",
        expected_volume_gb=500,
        expected_datasets=20,
        expected_images=100_000,
        timeline="2027",
    )
    project_score(project=project, actor=curator, volume=2, curation=2, metadata=2, funding=1, impact=5)
    return project_decide(project=project, actor=curator, decision=decision, note="Decided.")


def archive_keys(path: str = "") -> list[str]:
    """Every object in archive storage (local or S3), found by walking it."""
    try:
        folders, files = archive_storage().listdir(path)
    except FileNotFoundError:  # local storage makes its folder on the first write
        return []
    keys = [f"{path}/{name}".lstrip("/") for name in files]
    for folder in folders:
        keys += archive_keys(f"{path}/{folder}".lstrip("/"))
    return keys


def upload_area_files() -> list[Path]:
    root = Path(settings.UPLOAD_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _plate_path(i: int) -> str:
    return f"plates/plate{i // 100:03d}/img{i:05d}.tif"


def uploads_bulk_add(owner, start: int, stop: int, path=_plate_path) -> None:
    """Complete upload rows `start` to `stop` (under `plates/` unless `path` says), no bytes: the pages and the
    submit read only rows."""
    area = upload_area_get_or_create(owner=owner)
    now = timezone.now()
    UploadFile.objects.bulk_create(
        [
            UploadFile(
                area=area,
                upload_id=uuid.uuid4(),
                relative_path=path(i),
                size=i + 1,
                offset=i + 1,
                sha256=f"{i:064x}",
                state=UploadState.COMPLETE,
                created_at=now,
                last_data_at=now,
                uploaded_at=now,
                expires_at=upload_expiry_after(now),
                storage_name=f"{area.pk}/{uuid.uuid4()}",
            )
            for i in range(start, stop)
        ],
        batch_size=2000,
    )
