"""Temporary: archive/ still imports this; the module now lives in core.json_input (removed once archive switches)."""

from core.json_input import *  # noqa: F403
