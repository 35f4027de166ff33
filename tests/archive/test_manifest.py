"""The manifest streamed from the database: exact GNU lines for every name, in path order, checked by sha256sum."""

import hashlib
import shutil
import subprocess

import pytest
from django.urls import reverse

from archive.selectors.manifest import MANIFEST_BLOCK_BYTES, manifest_blocks
from tests.factories import make_study, stored_file

pytestmark = pytest.mark.django_db

ODD_NAMES = ["back\\slash.tif", "new\nline.tif", "tab\there.tif", "both\\and\n.tif", "plain ümlaut.tif"]


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_manifest_lines_escape_backslashes_and_newlines_as_gnu_sha256sum_does(anonymous_client):
    # Imports may carry names the upload paths refuse; the manifest must still be exact for them.
    study = make_study(files=[stored_file(f"odd/{name}", name.encode()) for name in ODD_NAMES])

    response = anonymous_client.get(reverse("study-manifest", args=[study.accession]))
    lines = b"".join(response.streaming_content).decode()

    def line(name: str, listed: str, marked: bool) -> str:
        return ("\\" if marked else "") + f"{_sha(name.encode())}  odd/{listed}\n"

    expected = [
        line("back\\slash.tif", "back\\\\slash.tif", True),
        line("new\nline.tif", "new\\nline.tif", True),
        line("tab\there.tif", "tab\there.tif", False),
        line("both\\and\n.tif", "both\\\\and\\n.tif", True),
        line("plain ümlaut.tif", "plain ümlaut.tif", False),
    ]
    assert sorted(lines.splitlines(keepends=True)) == sorted(expected)


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs GNU coreutils sha256sum")
def test_sha256sum_checks_files_whose_names_need_escaping(anonymous_client, tmp_path):
    study = make_study(files=[stored_file(f"odd/{name}", name.encode()) for name in ODD_NAMES])
    (tmp_path / "odd").mkdir()
    for name in ODD_NAMES:
        (tmp_path / "odd" / name).write_bytes(name.encode())
    manifest = b"".join(anonymous_client.get(reverse("study-manifest", args=[study.accession])).streaming_content)
    (tmp_path / "manifest.sha256").write_bytes(manifest)

    result = subprocess.run(["sha256sum", "-c", "--strict", "manifest.sha256"], cwd=tmp_path, capture_output=True)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(b": OK") == len(ODD_NAMES)


def test_manifest_comes_in_blocks_in_path_order_and_leaves_nothing_out():
    paths = [f"plate_{n % 7}/well_{n:05d}.tif" for n in range(3000)]
    study = make_study(files=[stored_file(path, path.encode()) for path in paths])

    blocks = list(manifest_blocks(version=study.versions.get(), user=None))
    listed = [line.split("  ", 1)[1] for line in b"".join(blocks).decode().splitlines()]

    assert len(blocks) > 1 and all(len(block) >= MANIFEST_BLOCK_BYTES for block in blocks[:-1])
    assert listed == sorted(paths)
