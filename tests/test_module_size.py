"""Rules live in modules small enough to read whole (docs/design.md §1): no services or selectors module
passes 400 lines; split it by topic into a package first."""

from pathlib import Path

from django.conf import settings

MAX_LINES = 400
APPS = ("core", "accounts", "licensing", "archive", "uploads", "submissions", "curation", "portal")


def test_no_services_or_selectors_module_is_over_400_lines():
    root = Path(settings.BASE_DIR)
    too_long = {
        str(path.relative_to(root)): lines
        for app in APPS
        for path in (root / app).rglob("*.py")
        if {"services", "selectors"} & {path.stem, *path.relative_to(root).parts[:-1]}
        and (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not too_long, too_long
