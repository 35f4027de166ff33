"""Upload areas: each user's private, transient place for files before they are submitted.

P-UPLOAD-PRIVATE: an area and its files belong to one user. P-UPLOAD-RETENTION:
every file carries its deletion time (`expires_at`), kept current by the services.
"""

import uuid

from django.conf import settings
from django.db import models


class UploadArea(models.Model):
    """One user's upload area, made on demand by `uploads.services.upload.upload_area_get_or_create`."""

    # PROTECT: deleting a user must not drop the rows of files whose bytes stay on disk;
    # empty the area first (the admin deletes files through the service).
    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="upload_area")
    quota_bytes = models.PositiveBigIntegerField(help_text="Sum of the declared sizes of the area's files.")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Upload area of {self.owner}"


class UploadState(models.TextChoices):
    UPLOADING = "uploading", "Uploading"
    COMPLETE = "complete", "Complete"


class UploadFile(models.Model):
    """A file in an upload area, from its tus creation to its deletion or submission.

    The bytes live in `UPLOAD_ROOT / storage_name`. `expires_at` is the deletion
    time: 3 calendar months after `uploaded_at` for a complete file, after
    `last_data_at` for an unfinished one. The warning stamps are cleared
    whenever `expires_at` moves, so that each deadline is warned about once.
    """

    area = models.ForeignKey(UploadArea, on_delete=models.CASCADE, related_name="files")
    upload_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False, help_text="The id in the tus URL.")
    relative_path = models.CharField(max_length=4096, help_text="Validated, NFC-normalised path inside the area.")
    tus_metadata = models.TextField(blank=True, help_text="Upload-Metadata as sent at creation; HEAD repeats it.")
    size = models.PositiveBigIntegerField(help_text="Declared length (tus Upload-Length), in bytes.")
    offset = models.PositiveBigIntegerField(default=0, help_text="Bytes received, written and hashed.")
    sha256 = models.CharField(max_length=64, blank=True, help_text="Set when the upload completes.")
    state = models.CharField(max_length=16, choices=UploadState.choices, default=UploadState.UPLOADING)
    created_at = models.DateTimeField()
    last_data_at = models.DateTimeField()
    uploaded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(help_text="Deletion time (P-UPLOAD-RETENTION).")
    # Set while a submitted submission moves this file into the archive: until then these
    # bytes are the only copy, so neither the purge nor the owner may delete it.
    held_by_submission = models.BooleanField(default=False)
    # When the first and the second warning of UPLOAD_WARNING_DAYS went out (P-UPLOAD-RETENTION).
    warned_first_at = models.DateTimeField(null=True, blank=True)
    warned_second_at = models.DateTimeField(null=True, blank=True)
    storage_name = models.CharField(max_length=100, help_text="File under UPLOAD_ROOT holding the bytes.")

    class Meta:
        indexes = [
            models.Index(fields=["state", "expires_at"], name="uploadfile_state_expires"),
            models.Index(fields=["area", "relative_path"], name="uploadfile_area_path"),
            # The upload page sorts an area of up to 100,000 files by any of these.
            models.Index(fields=["area", "expires_at"], name="uploadfile_area_expires"),
            models.Index(fields=["area", "uploaded_at"], name="uploadfile_area_uploaded"),
            models.Index(fields=["area", "size"], name="uploadfile_area_size"),
        ]

    def __str__(self) -> str:
        return self.relative_path

    @property
    def is_complete(self) -> bool:
        return self.state == UploadState.COMPLETE
