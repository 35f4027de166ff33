"""Read side of submissions."""

from dataclasses import dataclass, replace

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce, StrIndex, Substr
from django.utils import timezone

from accounts.selectors import profile_for
from archive.metadata import MetadataInvalid, StudyMetadata
from archive.selectors.paging import MAX_PAGE_NUMBER, CountedPage, page_window
from core.keyset import KeysetPage, Position, keyset_page
from submissions import scope
from submissions.models import (
    ACCEPTED_PROJECT_STATES,
    ProjectProposal,
    Submission,
    SubmissionFileState,
    SubmissionKind,
)
from submissions.review_rules import release_beyond_bound, review_reasons
from submissions.services.drafts import EDITABLE_STATES, projects_nameable_by
from uploads.models import UploadFile, UploadState
from uploads.selectors import upload_files_of


def scope_form_get() -> dict:
    """Return the current scope form as the portal shows it: version and questions with their choices."""
    return {
        "version": scope.SCOPE_FORM_VERSION,
        "questions": [
            {"id": question.id, "text": question.text, "choices": list(question.choices)}
            for question in scope.QUESTIONS
        ],
    }


def submission_move_progress(*, submission: Submission) -> dict:
    """How far the move of a submission's files into the archive has gone (files and bytes), for the study page."""
    done = Q(state=SubmissionFileState.DONE)
    return submission.files.aggregate(
        done=Count("pk", filter=done),
        total=Count("pk"),
        bytes_done=Coalesce(Sum("size", filter=done), 0),
        bytes_total=Coalesce(Sum("size"), 0),
    )


def submissions_of(owner) -> QuerySet[Submission]:
    """Return `owner`'s submissions, newest first; nobody else's are ever listed or opened through it."""
    if not owner.is_authenticated:
        return Submission.objects.none()
    return (
        Submission.objects.filter(owner=owner)
        .select_related("study", "disclosure")
        .prefetch_related("scope_certifications")
    )


# --- The wizard's reads -----------------------------------------------------------------

# The wizard's steps in order: URL slug → heading. A new version keeps the study's release date (changed on the study).
STEPS = {
    "metadata": "Study details",
    "files": "Files",
    "scope": "Scope",
    "agreements": "Agreements",
    "release": "Release date",
    "review": "Review and submit",
}
VERSION_STEPS = tuple(step for step in STEPS if step != "release")


def submissions_listed(*, owner) -> QuerySet[Submission]:
    """The owner's submissions, newest first, with their study and the number and size of their files."""
    return submissions_of(owner).annotate(files_count=Count("files"), files_size=Coalesce(Sum("files__size"), 0))


def submission_get_owned(*, owner, pk: int) -> Submission:
    """The owner's submission; anyone else's raises Submission.DoesNotExist, so it cannot be told apart from none."""
    if not owner.is_authenticated:
        raise Submission.DoesNotExist
    return (
        Submission.objects.select_related("study", "project", "disclosure")
        .prefetch_related("scope_certifications")
        .get(owner=owner, pk=pk)
    )


def submission_is_editable(submission: Submission) -> bool:
    return submission.state in EDITABLE_STATES


def submission_authors_initial(submission: Submission) -> list[dict]:
    """The authors the metadata step starts from: the draft's own or, while it has none, its owner as the first.

    Only offered, never saved here. The owner is offered when their name is known (a row without one is refused),
    with the ORCID iD and affiliation of their profile.
    """
    if authors := submission.metadata.get("authors"):
        return authors
    name = submission.owner.get_full_name().strip()
    if not name:
        return []
    profile = profile_for(user=submission.owner)
    return [{"name": name, "affiliation": profile.affiliation, "orcid": profile.orcid}]


def submission_step_names(submission: Submission) -> tuple[str, ...]:
    return VERSION_STEPS if submission.kind == SubmissionKind.NEW_VERSION else tuple(STEPS)


def _metadata_complete(metadata: dict) -> bool:
    try:
        StudyMetadata.from_dict(metadata, publication_required=True)
    except MetadataInvalid:
        return False
    return True


def submission_steps(submission: Submission) -> list[dict]:
    """The wizard's step bar: each step's slug, heading and whether it holds what submitting needs."""
    done = {
        "metadata": _metadata_complete(submission.metadata),
        "files": submission.files.exists(),
        "scope": submission.scope_certification_in_force is not None,
        "agreements": hasattr(submission, "disclosure"),
        "release": submission.release_date is not None,
        "review": False,
    }
    return [
        {"slug": slug, "label": STEPS[slug], "number": number, "done": done[slug]}
        for number, slug in enumerate(submission_step_names(submission), start=1)
    ]


def projects_accepted_of(*, owner) -> QuerySet[ProjectProposal]:
    """The owner's structured projects that a submission may name (P-PROJECT)."""
    return projects_nameable_by(owner).filter(state__in=ACCEPTED_PROJECT_STATES).order_by("name")


FOLDERS_PER_PAGE = 100


@dataclass(frozen=True)
class FileChoice:
    """What the files step shows: one page of the owner's finished uploads, their folders, and the kept files."""

    page: KeysetPage  # by path
    listed_count: int  # the finished uploads under the folder, on every page
    folders: list[dict]  # the folder shown (when one is) and one page of its subfolders
    folders_page: Page  # that page of subfolders, for its pager
    chosen_ids: set[int]
    chosen_count: int
    chosen_size: int
    kept: KeysetPage  # one page of the kept files of a new version, by path
    kept_count: int
    kept_unticked: frozenset[str] = frozenset()

    def as_ticked(self, *, ids: set[int], folders: set[str], dropped: list[str]) -> "FileChoice":
        """The page's boxes as the user ticked them, for a save that was refused (so nothing was saved).

        `ids` are the files ticked (or kept from other pages), `folders` the
        folders ticked, whose shown files are ticked too, and `dropped` the kept
        files of a new version shown and unticked.
        """
        in_folders = {
            upload.pk
            for upload in self.page.rows
            if any(upload.relative_path.startswith(folder + "/") for folder in folders)
        }
        return replace(
            self,
            chosen_ids=ids | in_folders,
            # `all_chosen` stays as saved: the form says it (folders_whole) for the save that follows.
            folders=[{**folder, "ticked": folder["path"] in folders} for folder in self.folders],
            kept_unticked=frozenset(dropped),
        )


def _by_subfolder(rows: QuerySet, path: str, parent: str) -> QuerySet:
    """The `rows` inside a subfolder of `parent` ("a/b/", "" for the root), as values grouped by its name `child`."""
    rest = Substr(path, len(parent) + 1)
    if parent:
        rows = rows.filter(**{f"{path}__startswith": parent})
    return (
        rows.order_by()
        .annotate(slash=StrIndex(rest, Value("/")))
        .filter(slash__gt=0)  # a file of `parent` itself is in no subfolder
        .annotate(child=Substr(rest, 1, F("slash") - 1))
        .values("child")
    )


def _grouped_page(grouped: QuerySet, *, page: int | str, per_page: int) -> Page:
    """One page of `grouped` by `child`, a bad number read as 1 and one past the end as the last.

    The total comes with the page's rows (a window over the groups): one pass over the files, not two.
    """
    try:
        number = min(max(int(page), 1), MAX_PAGE_NUMBER)
    except (TypeError, ValueError):
        number = 1
    counted = grouped.annotate(total=Window(Count("child"))).order_by("child")
    start, stop = page_window(number, per_page)
    rows = list(counted[start:stop])
    if not rows and number > 1:  # past the end: count, then read the last page
        number = max(1, -(-grouped.count() // per_page))
        start, stop = page_window(number, per_page)
        rows = list(counted[start:stop])
    total = rows[0]["total"] if rows else 0
    return Paginator(CountedPage(rows, total=total, start=start), per_page).page(number)


def _folder_entry(path: str, *, depth: int, files: int, size: int, chosen: int) -> dict:
    whole = chosen == files
    return {
        "path": path,
        "depth": depth,
        "files": files,
        "size": size,
        "chosen": chosen,
        "all_chosen": whole,
        "ticked": whole,
    }


def _folders(
    uploads: QuerySet[UploadFile], submission: Submission, *, folder: str, page: int | str, per_page: int
) -> tuple[list[dict], Page]:
    """`folder` (when given) and one page of its subfolders, each with its files' count and size at any depth and
    how many of them are chosen.

    Grouped queries by subfolder, paged by the database: a page costs the same
    queries and shows the same rows for 10 folders or 100,000 (one pass over
    the files under `folder` for the page).
    """
    parent = f"{folder}/" if folder else ""
    grouped = _by_subfolder(uploads, "relative_path", parent).annotate(files=Count("pk"), size=Sum("size"))
    shown = _grouped_page(grouped, page=page, per_page=per_page)
    names = [row["child"] for row in shown.object_list]
    # A chosen file's path is its upload's, copied when chosen: no join.
    chosen_files = submission.files.filter(upload_file__isnull=False)
    chosen = dict(
        _by_subfolder(chosen_files, "path", parent)
        .filter(child__in=names)
        .annotate(count=Count("pk"))
        .values_list("child", "count")
    )
    entries = []
    if folder:
        totals = uploads.filter(relative_path__startswith=parent).aggregate(files=Count("pk"), size=Sum("size"))
        if totals["files"]:
            in_folder = chosen_files.filter(path__startswith=parent).count()
            entries.append(_folder_entry(folder, depth=0, files=totals["files"], size=totals["size"], chosen=in_folder))
    depth = 1 if entries else 0
    for row in shown.object_list:
        name = row["child"]
        entries.append(
            _folder_entry(parent + name, depth=depth, files=row["files"], size=row["size"], chosen=chosen.get(name, 0))
        )
    return entries, shown


def submission_file_choice(
    *,
    submission: Submission,
    folder: str = "",
    position: Position = Position(),
    per_page: int = 100,
    kept_position: Position = Position(),
    folders_page: int | str = 1,
):
    """The owner's finished uploads (one keyset page by path from `position`, optionally one folder), that folder's
    subfolders (one page of them), and what is already chosen.

    A new version's kept files are paged too (`kept_position`, by path): a study of a million files is never listed
    whole.
    """
    uploads = UploadFile.objects.filter(area__owner=submission.owner, state=UploadState.COMPLETE)
    chosen = submission.files.all()
    kept = chosen.filter(upload_file__isnull=True, state=SubmissionFileState.DONE)
    listed = upload_files_of(owner=submission.owner, folder=folder).filter(state=UploadState.COMPLETE)
    # A finished upload's path is unique in its area (completing one replaces another at its path): a keyset.
    shown = keyset_page(listed, position=position, limit=per_page, key="relative_path")
    totals = chosen.aggregate(count=Count("pk"), size=Coalesce(Sum("size"), 0))
    folders, folders_shown = _folders(uploads, submission, folder=folder, page=folders_page, per_page=FOLDERS_PER_PAGE)
    return FileChoice(
        page=shown,
        listed_count=listed.count(),
        folders=folders,
        folders_page=folders_shown,
        # Only the shown page's ticks: the chosen ids of a million files are never read for a page of 100.
        chosen_ids=set(
            chosen.filter(upload_file__in=[u.pk for u in shown.rows]).values_list("upload_file_id", flat=True)
        ),
        chosen_count=totals["count"],
        chosen_size=totals["size"],
        kept=keyset_page(kept, position=kept_position, limit=per_page),  # a path is unique in a submission
        kept_count=kept.count(),
    )


def submission_chosen_upload_paths(*, submission: Submission) -> dict[int, str]:
    """The upload files the submission holds: id → path."""
    return dict(
        submission.files.filter(upload_file__isnull=False)
        .values_list("upload_file_id", "path")
        .iterator(chunk_size=2000)
    )


def submission_review_expected(submission: Submission, *, screening: list[dict]) -> list[str]:
    """Why submitting now would send the submission to a curator, as `submission_submit` decides it (labels).

    Both read `review_rules.review_reasons`, so the review page says what
    will happen before the button is pressed; `screening` is the page's fresh
    `review_rules.dicom_screening`, which submitting screens again and keeps.
    """
    certification = submission.scope_certification_in_force
    reasons = review_reasons(
        submission=submission,
        scope_outcome=certification.outcome if certification else None,
        screening=screening,
        beyond_bound=release_beyond_bound(submission, now=timezone.now()),
    )
    return [reason.label for reason in reasons]


def submission_scope_refusal(submission: Submission) -> str:
    """The refusal message (with the EGA pointer) of a submission its scope answers refused, else ""."""
    certification = submission.scope_certification_in_force
    if certification is None or certification.outcome != scope.REFUSED:
        return ""
    return scope.scope_refusal_message(certification.answers)
