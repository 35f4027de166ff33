from django.conf import settings
from django.db import models

from submissions import scope


class SubmissionKind(models.TextChoices):
    NEW_STUDY = "new_study", "New study"
    NEW_VERSION = "new_version", "New version of a study"


class SubmissionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    ACCEPTED = "accepted", "Accepted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    REFUSED = "refused", "Refused"


class ProjectCategory(models.TextChoices):
    LASTING_REUSE = "lasting_reuse", "Lasting reuse (e.g. a reference atlas)"
    TECHNOLOGY = "technology", "Technology development (e.g. ML ground truth)"
    COHERENT_WHOLE = "coherent_whole", "A coherent whole (e.g. a screen)"


class ProjectState(models.TextChoices):
    PROPOSED = "proposed", "Proposed, waiting for a decision"
    ACCEPTED = "accepted", "Accepted"
    ACCEPTED_IF_FUNDED = "accepted_if_funded", "Accepted subject to dedicated funding"
    DECLINED = "declined", "Declined"


# "Accepted subject to dedicated funding" is not yet an acceptance: its datasets wait for review until funded.
ACCEPTED_PROJECT_STATES = (ProjectState.ACCEPTED,)


class ProjectProposal(models.Model):
    """A structured project proposed for reference datasets without a publication (P-PROJECT).

    It lives in submissions, not curation, because a submission names its
    project and the submit rules must know whether it was accepted; curators
    score and decide it from the curation app.
    """

    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="project_proposals")
    name = models.CharField(max_length=200)
    description = models.TextField()
    category = models.CharField(max_length=20, choices=ProjectCategory.choices)
    expected_volume_gb = models.PositiveIntegerField(help_text="Expected total volume, in gigabytes.")
    expected_datasets = models.PositiveIntegerField()
    expected_images = models.PositiveBigIntegerField()
    timeline = models.TextField(help_text="When the data will be submitted.")
    metadata_needs = models.TextField(help_text="Metadata specification the project needs.", blank=True)
    curation_support = models.TextField(help_text="Curation support the project needs.", blank=True)
    funding_status = models.TextField(help_text="Funding secured or applied for.", blank=True)
    state = models.CharField(max_length=20, choices=ProjectState.choices, default=ProjectState.PROPOSED)
    # Curators' scores, 1 (small) to 5 (large); empty until scored.
    score_volume = models.PositiveSmallIntegerField(null=True, blank=True)
    score_curation = models.PositiveSmallIntegerField(null=True, blank=True)
    score_metadata = models.PositiveSmallIntegerField(null=True, blank=True)
    score_funding = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How much archive funding it needs (5: all of it)."
    )
    score_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class ReviewReason(models.TextChoices):
    """Why a submission waits for a curator instead of being accessioned."""

    SCOPE = "scope_needs_review", "Identifiable human data with consent for publication (scope review)"
    DICOM = "dicom_identifying", "DICOM files with patient-identifying attributes"
    NO_PUBLICATION = "no_publication", "No related publication and no accepted structured project"
    RELEASE_BEYOND_BOUND = "release_beyond_bound", "Asks for a release date beyond the bound"


class Submission(models.Model):
    """A submitter's deposit on its way to an accession: a draft until submitted."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions")
    kind = models.CharField(max_length=16, choices=SubmissionKind.choices, default=SubmissionKind.NEW_STUDY)
    study = models.ForeignKey(
        "archive.Study",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        help_text="The study a new version is made of; for a new study, the study its move created.",
    )
    state = models.CharField(max_length=20, choices=SubmissionState.choices, default=SubmissionState.DRAFT)
    metadata = models.JSONField(default=dict, blank=True)
    release_date = models.DateField(null=True, blank=True, help_text="May stay empty while a draft.")
    release_on_submission = models.BooleanField(
        default=False, help_text="Release on the day it is submitted, whichever day that is."
    )
    release_date_reason = models.TextField(
        blank=True, help_text="Why a date beyond the bound is asked for; a curator decides (P-RELEASE-DATE)."
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accession = models.CharField(
        max_length=32, blank=True, help_text="Given when its files start moving; the study takes it once they have."
    )
    accession_number = models.PositiveBigIntegerField(null=True, blank=True)
    project = models.ForeignKey(
        ProjectProposal, on_delete=models.PROTECT, null=True, blank=True, related_name="submissions"
    )
    review_reasons = models.JSONField(
        default=list, blank=True, help_text="ReviewReason values: why it waits for a curator."
    )
    screening = models.JSONField(
        default=list, blank=True, help_text="DICOM files with patient-identifying attributes: path and attributes."
    )
    file_list = models.JSONField(
        default=dict,
        blank=True,
        help_text="The checked File List: its name, attribute columns, and missing and extra rows.",
    )
    curator_message = models.TextField(blank=True, help_text="The curator's message on changes or refusal.")
    move_error = models.JSONField(
        default=list, blank=True, help_text="Files that failed their checksum check on the move: path and problem."
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Submission {self.pk} ({self.state})"

    @property
    def scope_certification_in_force(self) -> "ScopeCertification | None":
        """The latest scope certification, or None; earlier ones stay on record (P-SCOPE).

        Read through `.all()`, so that `prefetch_related("scope_certifications")` serves it without a query
        and `refresh_from_db` forgets it.
        """
        return max(self.scope_certifications.all(), key=lambda certification: certification.number, default=None)


class ScopeOutcome(models.TextChoices):
    ACCEPTED = scope.ACCEPTED, "Accepted"
    NEEDS_REVIEW = scope.NEEDS_REVIEW, "Needs curator review"
    REFUSED = scope.REFUSED, "Refused"


class ScopeCertification(models.Model):
    """One certification of the submitter's answers to the scope form (P-SCOPE). Written once, never edited.

    A draft may be certified again before it is submitted: each time adds the
    next `number`, every earlier one stays on record, and the latest is the one
    in force (`Submission.scope_certification_in_force`).
    """

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="scope_certifications")
    number = models.PositiveIntegerField(help_text="1 for the first certification of the submission, then 2, 3, ...")
    form_version = models.CharField(max_length=32)
    answers = models.JSONField()
    outcome = models.CharField(max_length=16, choices=ScopeOutcome.choices)
    certified_at = models.DateTimeField()

    class Meta:
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="scopecertification_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.form_version} #{self.number}: {self.outcome}"


class DisclosureAcknowledgement(models.Model):
    """The two statements of P-DISCLOSURE, with when they were made. Written once, never edited."""

    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="disclosure")
    public_disclosure = models.BooleanField(help_text="Everything on the public pages is disclosed to the public.")
    right_to_submit = models.BooleanField(help_text="The submitter has the right to submit the data.")
    acknowledged_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Acknowledged {self.acknowledged_at:%Y-%m-%d %H:%M}"


class SubmissionFileState(models.TextChoices):
    PENDING = "pending", "In the upload area"
    STORED = "stored", "Copied to archive storage"
    DONE = "done", "Moved"


class SubmissionFile(models.Model):
    """A file of a submission: chosen from the upload area, moved to archive storage on submit (P-MOVE-ON-SUBMIT).

    `path`, `size` and `sha256` are copied from the upload file when chosen, so
    the list survives the upload row, which the move deletes.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    upload_file = models.ForeignKey(
        "uploads.UploadFile", on_delete=models.SET_NULL, null=True, blank=True, related_name="submission_files"
    )
    path = models.CharField(max_length=4096)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_key = models.CharField(max_length=200, blank=True, help_text="Archive storage key, set once stored.")
    state = models.CharField(max_length=8, choices=SubmissionFileState.choices, default=SubmissionFileState.PENDING)
    attributes = models.JSONField(default=dict, blank=True, help_text="Columns of the File List for this file.")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["submission", "path"], name="submissionfile_unique_path")]

    def __str__(self) -> str:
        return self.path
