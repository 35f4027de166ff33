from django.conf import settings
from django.db import models

from archive.models import Study


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit row."""


class CurationEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")


class CurationEvent(models.Model):
    """One change to the record: who did what to which target, why and when. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for scheduled jobs.",
    )
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=32)
    target_id = models.CharField(max_length=64)
    study = models.ForeignKey(
        "archive.Study", on_delete=models.PROTECT, null=True, blank=True, related_name="curation_events"
    )
    reason_category = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    objects = CurationEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="curationevent_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type} {self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")


class FixityResult(models.TextChoices):
    PENDING = "pending", "Not checked yet"
    OK = "ok", "Intact"
    MISMATCH = "mismatch", "Changed (SHA-256 or size differs)"
    MISSING = "missing", "Missing from storage"


class FixityCheck(models.Model):
    """The fixity record of one stored object (P-INTEGRITY): what it must hash to and how it last did.

    Content is stored once per SHA-256, so one row covers every archive file that shares the object.
    """

    storage_key = models.CharField(max_length=200, unique=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    registered_at = models.DateTimeField()
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_result = models.CharField(max_length=16, choices=FixityResult.choices, default=FixityResult.PENDING)

    class Meta:
        ordering = [models.F("last_checked_at").asc(nulls_first=True), "pk"]
        indexes = [models.Index(fields=["last_checked_at", "id"], name="fixitycheck_due_idx")]

    def __str__(self) -> str:
        return f"{self.storage_key} ({self.get_last_result_display().lower()})"


class FixityReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class FixityReport(models.Model):
    """A stored object that failed a fixity check, for curators to investigate; never repaired by the job."""

    fixity = models.ForeignKey(FixityCheck, on_delete=models.PROTECT, related_name="reports")
    result = models.CharField(max_length=16, choices=FixityResult.choices)
    expected_sha256 = models.CharField(max_length=64)
    expected_size = models.PositiveBigIntegerField()
    observed_sha256 = models.CharField(max_length=64, blank=True)
    observed_size = models.PositiveBigIntegerField(null=True, blank=True)
    studies = models.JSONField(default=list, blank=True, help_text="Accessions whose files use the object.")
    detected_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=16, choices=FixityReportStatus.choices, default=FixityReportStatus.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fixity"], condition=models.Q(status="open"), name="one_open_fixity_report_per_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fixity.storage_key}: {self.get_result_display().lower()} ({self.status})"


class ImportedStudy(Study):
    """Studies imported from another resource under their own licence (P-LICENCE), for the curators' admin."""

    class Meta:
        proxy = True
        verbose_name = "imported study"
        verbose_name_plural = "imported studies"
