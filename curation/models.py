from django.db import models

from archive.models import Study


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
