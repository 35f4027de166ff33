"""Imports of brokered datasets from a manifest (P-LICENCE, P-INTEGRITY).

The manifest is read by `import_manifest` and its files by `import_sources`.
Every problem is collected before anything is refused, so the curator fixes the
manifest in one go; a refused manifest leaves nothing behind, neither rows nor
stored objects. Importing the same source identifier again adds a version to
the study made the first time.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction

from archive.models import Study, StudyVersion
from archive.services.accession import study_create, study_version_add
from core import audit
from core.audit import AuditAction
from core.roles import curator_required
from curation.services.import_manifest import (
    IMPORT_RULE,
    ManifestProblem,
    ManifestProblems,
    ManifestRefused,
    manifest_read,
)
from curation.services.import_sources import files_readable, files_store, objects_forget, s3_client

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportResult:
    study: Study
    version: StudyVersion
    created: bool  # False when the source identifier was imported before and this made a new version


def study_import(*, actor, manifest: dict, base_dir: Path | None = None) -> ImportResult:
    """Import a brokered dataset from `manifest`: verify and store its files, then accession it.

    A source identifier imported before gets a new version of its study instead
    (its owner, release date and licence stay; a different licence is refused).
    Relative local locations are read from `base_dir`. Raise ManifestRefused
    listing every problem; then nothing is stored. `actor` is the curator
    importing it (None for an operator's command).
    """
    if actor is not None:
        curator_required(actor, rule=IMPORT_RULE, message="Only curators may import datasets.")
    problems = ManifestProblems()
    read = manifest_read(manifest=manifest, default_owner=actor, base_dir=base_dir, problems=problems)
    client = s3_client() if any(f.s3 for f in read.files) else None
    readable = files_readable(read.files, client, problems)
    created: list[str] = []
    try:
        entries = files_store(readable, client, problems, created)
        if problems:
            raise ManifestRefused(list(problems))
        result = _record(
            actor=actor,
            metadata=read.metadata,
            entries=entries,
            owner=read.owner,
            release_date=read.release_date,
            licence=read.licence,
            source=read.source,
            source_id=read.source_id,
        )
    except BaseException:  # refused, or a read or the database failed: take back what this import stored
        objects_forget(created)
        raise
    logger.info("Imported %s %s as %s v%s", read.source, read.source_id, result.study.accession, result.version.number)
    return result


def _record(*, actor, metadata, entries, owner, release_date, licence, source, source_id) -> ImportResult:
    with transaction.atomic():
        # Locked, so two re-imports of one identifier make two versions, not one clash.
        study = Study.objects.select_for_update().filter(source=source, source_id=source_id).first()
        created = False
        if study is None:
            try:
                with transaction.atomic():  # a savepoint: another import may create this study first
                    study = study_create(
                        owner=owner,
                        metadata=metadata,
                        files=entries,
                        release_date=release_date,
                        licence=licence.spdx_id,
                        source=source,
                        source_id=source_id,
                        actor=actor,
                    )
            except IntegrityError:  # it did (one study per source identifier): this import is its next version
                study = Study.objects.select_for_update().get(source=source, source_id=source_id)
            else:
                version, created = study.versions.get(), True
        if not created:
            if study.licence_id != licence.pk:  # changed since the manifest was checked
                raise ManifestRefused(
                    [
                        ManifestProblem(
                            field="licence", message="The study's licence changed meanwhile.", rule="P-LICENCE"
                        )
                    ]
                )
            note = f"Re-imported from {source} {source_id}"
            version = study_version_add(study=study, metadata=metadata, files=entries, note=note, actor=actor)
        audit.record(
            actor=actor,
            action=AuditAction.STUDY_IMPORTED,
            target_type="study",
            target_id=study.accession,
            study=study,
            note=f"{source} {source_id}",
            data={
                "source": source,
                "source_id": source_id,
                "licence": licence.spdx_id,
                "version": version.number,
                "new_study": created,
                "files": len(entries),
                "bytes": sum(entry.size for entry in entries),
            },
        )
    return ImportResult(study=study, version=version, created=created)
