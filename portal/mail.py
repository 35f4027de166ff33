"""Temporary: archive/ still imports this; the module now lives in core.mail (removed once archive switches)."""

from core.mail import *  # noqa: F403
from core.mail import _send_logged  # noqa: F401
