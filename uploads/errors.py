"""Errors of the upload services, each with the HTTP status the tus and API views answer.

All are PolicyViolations, so every error body names the field and the rule.
"""

from core.errors import PolicyViolation


class UploadError(PolicyViolation):
    status = 400


class UploadNotFound(UploadError):
    """No such upload, or it belongs to someone else (P-UPLOAD-PRIVATE): never say which."""

    status = 404

    def __init__(self):
        super().__init__(
            rule="P-UPLOAD-PRIVATE", field="upload", message="No such upload, or it is not in your upload area."
        )


class UploadExpired(UploadError):
    status = 410

    def __init__(self):
        super().__init__(
            rule="P-UPLOAD-RETENTION",
            field="upload",
            message="This upload has passed its deletion time and is being removed; start it again.",
        )


class UploadTooLarge(UploadError):
    """Over the area's quota, the maximum file size, or the declared length."""

    status = 413


class UploadComplete(UploadError):
    """A complete upload takes no more data: completing it again would restart its retention (P-UPLOAD-RETENTION)."""

    status = 403

    def __init__(self):
        super().__init__(
            rule="P-UPLOAD-RETENTION",
            field="upload",
            message=(
                "This upload is complete: it takes no more data and its deletion time stays as it is. "
                "To replace the file, upload it again."
            ),
        )


class OffsetMismatch(UploadError):
    status = 409

    def __init__(self, *, expected: int):
        super().__init__(
            rule="TUS-UPLOAD-OFFSET",
            field="Upload-Offset",
            message=f"The upload is at offset {expected}; send the bytes from there (HEAD tells the offset).",
        )


class UploadBusy(UploadError):
    """Another request is appending to this upload right now."""

    status = 409

    def __init__(self):
        super().__init__(
            rule="TUS-UPLOAD-OFFSET",
            field="Upload-Offset",
            message="Another request is appending to this upload; ask HEAD for the offset and retry.",
        )


class ChecksumMismatch(UploadError):
    status = 460

    def __init__(self, *, algorithm: str):
        super().__init__(
            rule="P-INTEGRITY",
            field="Upload-Checksum",
            message=f"The {algorithm} checksum of the data does not match; nothing was appended.",
        )


class UploadHeld(UploadError):
    """The file belongs to a submission whose files are being moved into the archive."""

    status = 409

    def __init__(self):
        super().__init__(
            rule="P-MOVE-ON-SUBMIT",
            field="upload",
            message="This file is part of a submission and is being moved into the archive; it cannot be deleted.",
        )
