"""Curators' actions on studies and their files: hide, unhide, obsolete, remove, restore (P-HIDE, P-OBSOLETE, P-REMOVE).

Each action works on many studies (or files) at once, all or nothing: one broken
rule on any of them raises `PolicyViolation` and nothing changes. The archive's
services make each change and write its audit row; this module decides who may
act (`curator_check`, through `core.roles.curator_required`); archive keeps the status a restore returns to.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby

from django.db import transaction
from django.db.models import QuerySet

from archive.models import ArchiveFile, FileStatus, Study
from archive.selectors.visibility import study_version_get
from archive.services.status import (
    files_set_status,
    study_hide,
    study_make_obsolete,
    study_remove,
    study_restore,
    study_unhide,
)
from core.errors import PolicyViolation
from core.roles import curator_required

CURATOR_RULE = "CURATOR"


def curator_check(actor) -> None:
    """Raise NotAllowed (403) unless `actor` may hide, obsolete, remove or restore (a curator or a superuser)."""
    curator_required(actor, rule=CURATOR_RULE, message="Only curators may hide, obsolete, remove or restore.")


@dataclass(frozen=True)
class CuratorAction:
    name: str
    verb: str  # for buttons and headings: "Hide"
    done: str  # for messages: "hidden"
    rule: str
    study_service: Callable[..., Study]
    file_status: str | None  # what the action makes of selected files; None: studies only


ACTIONS = {
    action.name: action
    for action in [
        CuratorAction("hide", "Hide", "hidden", "P-HIDE", study_hide, None),
        CuratorAction("unhide", "Unhide", "unhidden", "P-HIDE", study_unhide, None),
        CuratorAction(
            "obsolete", "Make obsolete", "made obsolete", "P-OBSOLETE", study_make_obsolete,
            FileStatus.OBSOLETE,
        ),
        CuratorAction("remove", "Remove", "removed", "P-REMOVE", study_remove, FileStatus.REMOVED),
        CuratorAction("restore", "Restore", "restored", "P-REMOVE", study_restore, FileStatus.ACTIVE),
    ]
}  # fmt: skip


def curator_action_get(name: str) -> CuratorAction:
    """Return the curator action called `name`."""
    try:
        return ACTIONS[name]
    except KeyError:
        raise PolicyViolation(rule=CURATOR_RULE, field="action", message=f"Unknown action “{name[:40]}”.") from None


def studies_curate(
    *, actor, action: str, studies: Iterable[Study], reason_category: str, note: str = "", superseded_by: str = ""
) -> list[Study]:
    """Apply one curator action to every study, in one transaction; return the studies as changed.

    `superseded_by` (an accession) is for making entries obsolete only (P-OBSOLETE).
    """
    curator_check(actor)
    spec = curator_action_get(action)
    reason = {"reason_category": reason_category, "note": note}
    if spec.study_service is study_make_obsolete:
        reason["superseded_by"] = superseded_by
    elif superseded_by:
        raise PolicyViolation(
            rule=spec.rule,
            field="superseded_by",
            message="Only an entry made obsolete can name the entry that supersedes it.",
        )
    with transaction.atomic():
        return [spec.study_service(study=study, actor=actor, **reason) for study in studies]


def _file_status(actor, action: str) -> str:
    curator_check(actor)
    spec = curator_action_get(action)
    if spec.file_status is None:
        raise PolicyViolation(
            rule=spec.rule, field="files", message=f"Files cannot be {spec.done}; only whole studies can."
        )
    return spec.file_status


def study_files_curate(
    *, actor, action: str, study: Study, paths: list[str], reason_category: str, note: str = ""
) -> int:
    """Make files of the study's newest version obsolete, removed or active again, with every copy of their
    content in earlier versions; return how many files changed, each version's copy counted."""
    status = _file_status(actor, action)
    return files_set_status(
        version=study_version_get(study=study),
        actor=actor,
        paths=paths,
        status=status,
        reason_category=reason_category,
        note=note,
    )


def files_curate(*, actor, action: str, files: QuerySet[ArchiveFile], reason_category: str, note: str = "") -> int:
    """Apply a file action to selected files of any versions, in one transaction; return how many changed.

    The action reaches every copy of a selected file's content in its study (see `files_set_status`),
    so only one copy of each content is named to it: each file counts, and is logged, once.
    """
    status = _file_status(actor, action)
    rows = files.select_related("version__study").order_by("version__study_id", "sha256", "version__number")
    newest_copies = {(file.version.study_id, file.sha256): file for file in rows}  # a later version overwrites
    named = sorted(newest_copies.values(), key=lambda file: (file.version_id, file.path))
    changed = 0
    with transaction.atomic():
        for version, version_files in groupby(named, key=lambda file: file.version):
            changed += files_set_status(
                version=version,
                actor=actor,
                paths=[file.path for file in version_files],
                status=status,
                reason_category=reason_category,
                note=note,
            )
    return changed
