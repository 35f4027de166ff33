"""Temporary: archive/ still imports this; the audit log is now core.audit.record (removed once archive switches)."""

from core.audit import record as audit_record  # noqa: F401
