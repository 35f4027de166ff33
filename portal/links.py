"""Temporary: archive/ still imports this; the module now lives in core.links (removed once archive switches)."""

from core.links import *  # noqa: F403
