"""Scheduled jobs of upload areas (django-q2, P-UPLOAD-RETENTION). Each calls one service and is safe to run twice."""

from uploads.services import retention

# How often setup_schedules runs each job; the purge runs often so that nothing outlives its deletion time by much.
WARNINGS_EVERY_MINUTES = 60
PURGE_EVERY_MINUTES = 15


def upload_warnings_send() -> int:
    """E-mail the owners of files deleted within UPLOAD_WARNING_DAYS, each warning once; return the e-mails queued."""
    return retention.upload_warnings_send()


def uploads_purge_due() -> int:
    """Delete the upload files past their deletion time; return how many."""
    return retention.uploads_purge_due()
