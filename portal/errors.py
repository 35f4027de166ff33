"""Temporary: archive/ still imports this; the module now lives in core.errors (removed once archive switches)."""

from core.errors import *  # noqa: F403
