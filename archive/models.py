from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class StudyStatus(models.TextChoices):
    CONFIDENTIAL = "confidential", "Confidential"
    RELEASED = "released", "Released"
    OBSOLETE = "obsolete", "Obsolete"
    REMOVED = "removed", "Removed"


PUBLIC_STATUSES = (StudyStatus.RELEASED, StudyStatus.OBSOLETE)


class ReasonCategory(models.TextChoices):
    RETRACTION = "retraction", "Publication retracted"
    INVESTIGATION = "investigation", "Official investigative body"
    OWNERSHIP = "ownership", "Disputed ownership"
    PROVENANCE = "provenance", "Disputed provenance"
    ERROR = "error", "Error in the entry"
    DUPLICATE = "duplicate", "Duplicate entry"
    SUPERSEDED = "superseded", "Superseded"
    OTHER = "other", "Other"


class AccessionNumber(models.Model):
    """One row per accession number handed out (SQLite's stand-in for a sequence).

    On PostgreSQL accession numbers come from the sequence made by migration 0002;
    on SQLite an AUTOINCREMENT key never reuses a number either.
    """

    allocated_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.pk)


class Study(models.Model):
    """An accessioned study. Its descriptive fields mirror the newest version for search."""

    accession = models.CharField(max_length=32, unique=True)
    number = models.PositiveBigIntegerField(unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="studies")
    status = models.CharField(max_length=16, choices=StudyStatus.choices, default=StudyStatus.CONFIDENTIAL)
    searchable = models.BooleanField(default=True, help_text="Off when a curator hides the entry (P-HIDE).")
    release_date = models.DateField()
    released_at = models.DateTimeField(null=True, blank=True)
    licence = models.ForeignKey("licensing.Licence", on_delete=models.PROTECT, related_name="studies")
    source = models.CharField(max_length=64, blank=True, help_text="Resource a brokered dataset came from.")
    source_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField()
    # Why the entry is hidden, obsolete or removed, and since when (shown on its page).
    status_reason = models.CharField(max_length=16, choices=ReasonCategory.choices, blank=True)
    status_note = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The entry that replaces this one, named when a curator makes it obsolete as superseded (P-OBSOLETE).
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    # When anything a harvester sees last changed (release, version, status, metadata): the OAI-PMH datestamp.
    record_changed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Copied from the newest version so that search and lists need no join.
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    authors_text = models.TextField(blank=True)
    organism = models.CharField(max_length=200, blank=True, db_index=True)
    imaging_method = models.CharField(max_length=200, blank=True, db_index=True)
    keywords_text = models.TextField(blank=True)
    files_count = models.PositiveIntegerField(default=0)
    total_size = models.PositiveBigIntegerField(default=0)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-number"]
        verbose_name_plural = "studies"
        indexes = [
            models.Index(fields=["status", "searchable", "-release_date"], name="study_listing_idx"),
            models.Index(fields=["status", "release_date"], name="study_release_due_idx"),
        ]
        constraints = [
            # Two imports of the same brokered dataset at once must not make two studies.
            models.UniqueConstraint(
                fields=["source", "source_id"], condition=~models.Q(source_id=""), name="study_unique_source_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.accession}: {self.title}"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


class StudyVersion(models.Model):
    """One immutable version of a study's metadata and file list (P-PERMANENT)."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    metadata = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["study", "-number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="unique_study_version")]

    def __str__(self) -> str:
        return f"{self.study.accession} v{self.number}"


class FileStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    OBSOLETE = "obsolete", "Obsolete"
    REMOVED = "removed", "Removed"


class ArchiveFile(models.Model):
    """A file of one study version; its bytes live once per content in archive storage."""

    version = models.ForeignKey(StudyVersion, on_delete=models.PROTECT, related_name="files")
    path = models.CharField(max_length=4096)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    storage_key = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=FileStatus.choices, default=FileStatus.ACTIVE)
    status_reason = models.CharField(max_length=16, choices=ReasonCategory.choices, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["version", "path"]
        constraints = [models.UniqueConstraint(fields=["version", "path"], name="unique_version_path")]

    def __str__(self) -> str:
        return self.path


class StudyFolder(models.Model):
    """A folder of one study version with the files under it, at any depth, counted once when the version is made.

    `path` is "" for the version's root, else ends with "/" ("raw/day 1/"); `parent` is the
    enclosing folder's path (None for the root). Counts leave removed files out (P-REMOVE);
    `removed_*` count those for curators. `archive/services/file_tree.py` keeps them right.
    """

    version = models.ForeignKey(StudyVersion, on_delete=models.PROTECT, related_name="folders")
    path = models.CharField(max_length=4096, blank=True)
    parent = models.CharField(max_length=4096, null=True, blank=True)
    files_count = models.PositiveBigIntegerField(default=0)
    total_size = models.PositiveBigIntegerField(default=0)
    removed_count = models.PositiveBigIntegerField(default=0)
    removed_size = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["version", "path"]
        constraints = [models.UniqueConstraint(fields=["version", "path"], name="unique_version_folder")]
        indexes = [models.Index(fields=["version", "parent", "path"], name="folder_children_idx")]

    def __str__(self) -> str:
        return self.path or "/"


class StudyUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key permissions (guardian) so visibility queries join, not cast."""

    content_object = models.ForeignKey(Study, on_delete=models.CASCADE)


class StudyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Study, on_delete=models.CASCADE)


class ReviewerLink(models.Model):
    """A secret link that opens one confidential study read-only, for reviewers (docs/design.md §2).

    Only the SHA-256 of the token is kept: the plain token is shown once, at creation,
    so a copy of the database opens nothing.
    """

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="reviewer_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    anonymised = models.BooleanField(default=False, help_text="Hide the authors and the owner from reviewers.")
    access_count = models.PositiveIntegerField(default=0)
    last_access_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["study", "-created_at"]

    def __str__(self) -> str:
        return f"Reviewer link {self.pk} of {self.study_id}"


class ReleaseDateChange(models.Model):
    """One change of an accessioned study's release date (P-RELEASE-DATE). Append-only."""

    study = models.ForeignKey("archive.Study", on_delete=models.PROTECT, related_name="release_date_changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    old_date = models.DateField()
    new_date = models.DateField()
    reason = models.TextField(blank=True, help_text="Required when a curator goes beyond the bound.")
    beyond_bound = models.BooleanField(default=False)
    at = models.DateTimeField()

    class Meta:
        ordering = ["study", "-at"]

    def __str__(self) -> str:
        return f"{self.study_id}: {self.old_date} → {self.new_date}"


class StudyRemoval(models.Model):
    """One removal of a study from the public record (P-REMOVE), with the status it ended. Append-only.

    `study_restore` puts back the status of the latest removal.
    """

    study = models.ForeignKey("archive.Study", on_delete=models.PROTECT, related_name="removals")
    removed_at = models.DateTimeField()
    previous_status = models.CharField(max_length=16, choices=StudyStatus.choices)
    previous_status_reason = models.CharField(max_length=16, choices=ReasonCategory.choices, blank=True)
    previous_status_note = models.TextField(blank=True)
    previous_status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["study", "-removed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.study_id}: removed {self.removed_at:%Y-%m-%d}, was {self.previous_status}"


class ThumbnailStatus(models.TextChoices):
    MADE = "made", "Made"
    FAILED = "failed", "Failed"


class Thumbnail(models.Model):
    """A small PNG preview of one image content, stored once per SHA-256 like the content itself.

    A content that cannot be read as an image keeps a `failed` row, so the job never retries it.
    """

    sha256 = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=8, choices=ThumbnailStatus.choices)
    storage_key = models.CharField(max_length=200, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Thumbnail of {self.sha256[:12]} ({self.status})"


class UsageKind(models.TextChoices):
    """COUNTER's two metrics for research data; every request is also counted as an investigation."""

    INVESTIGATION = "investigation", "Investigation"  # the accession page or one of its metadata records
    REQUEST = "request", "Request"  # a download of data: a file, the ZIP or the download list


class UsageEvent(models.Model):
    """One counted use of a public study (archive/services/usage.py): robots and double clicks are never stored.

    `visitor` is a SHA-256 of the session key, or of the address and user agent, with the day's salt
    (UsageSalt): it names one user-session on one day and cannot be turned back into an address.
    `target` is a SHA-256 of the path used, the item of COUNTER's double-click rule.
    """

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="usage_events")
    kind = models.CharField(max_length=16, choices=UsageKind.choices)
    visitor = models.CharField(max_length=64)
    target = models.CharField(max_length=64)
    day = models.DateField()
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["study", "kind", "visitor"], name="usage_study_idx"),
            models.Index(fields=["visitor", "target", "occurred_at"], name="usage_double_click_idx"),
            models.Index(fields=["day"], name="usage_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.study_id} on {self.day}"


class UsageSalt(models.Model):
    """The random salt of one day's visitor hashes; older days' salts are deleted, so their hashes stay one-way."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Usage salt of {self.day}"


class DoiState(models.TextChoices):
    PENDING = "pending", "Pending"
    REGISTERED = "registered", "Registered"
    FAILED = "failed", "Failed"


class StudyDoi(models.Model):
    """A DataCite DOI of a study: one per version, and the concept DOI (no version) for the study as a whole.

    `state` is pending whenever DataCite must be told something (first registration or a change), registered once
    it has been, failed while the last attempt failed; the retry schedule sends every row not registered.
    """

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="dois")
    version = models.OneToOneField(StudyVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="doi")
    doi = models.CharField(max_length=200, unique=True)
    state = models.CharField(max_length=16, choices=DoiState.choices, default=DoiState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    registered_at = models.DateTimeField(null=True, blank=True, help_text="When DataCite first accepted it.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["study"], condition=models.Q(version__isnull=True), name="one_concept_doi_per_study"
            )
        ]
        indexes = [models.Index(fields=["state"], name="studydoi_state_idx")]

    def __str__(self) -> str:
        return self.doi
