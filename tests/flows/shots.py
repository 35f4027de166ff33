"""Screenshots of browser tests: kept in the test's output folder and copied to /tmp/shots to be looked at."""

import shutil
from pathlib import Path

SHOTS = Path("/tmp/shots")


def shot(page, output_path, name: str) -> None:
    page.screenshot(path=f"{output_path}/{name}.png", full_page=True)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(f"{output_path}/{name}.png", SHOTS / f"{name}.png")
