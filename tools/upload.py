#!/usr/bin/env python3
"""Upload a folder to your upload area on a bioimage archive portal, resumably.

    python tools/upload.py --url https://archive.example.org --token KEY FOLDER

Every file under FOLDER is sent with the tus protocol, several at a time, each
chunk with its SHA-256 (Upload-Checksum). A file's path in the upload area
starts with the folder's own name, as when the folder is dropped in the
browser: uploading hela-fission gives hela-fission/raw/cell_01.tif. Write a
File List with these paths. --strip-top-folder leaves the name out
(raw/cell_01.tif).

Run it again after an interruption (Ctrl-C, a dropped connection, a reboot): it
skips the files it finished (recorded in the state file) and continues the
others from the last byte the server holds (tuspy keeps their upload URLs next
to the state file). Exit code 0 when every file is uploaded, 1 when some failed
(they are listed; run again to retry them).

Needs only tuspy, requests and tqdm: pip install tuspy requests tqdm
"""

import argparse
import contextlib
import hashlib
import json
import os
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError
from tusclient.fingerprint.interface import Fingerprint
from tusclient.storage.filestorage import FileStorage
from tusclient.storage.interface import Storage
from tusclient.uploader import Uploader

TUS_PATH = "/api/v1/uploads/tus/"
UNITS = {"": 1, "B": 1, "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3, "KB": 1000, "MB": 1000**2, "GB": 1000**3}


def parse_size(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]*)\s*", text)
    if not match or match.group(2).upper() not in UNITS or int(match.group(1)) < 1:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 8MiB, 512KiB, 1048576)")
    return int(match.group(1)) * UNITS[match.group(2).upper()]


class Sha256Uploader(Uploader):
    """tuspy sends SHA-1 checksums by default; the archive works in SHA-256 (P-INTEGRITY)."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


class PathFingerprint(Fingerprint):
    """Key stored upload URLs by path, size and modification time.

    tuspy's default key (size and the MD5 of the first 64 KiB) is the same for
    many microscopy files of one acquisition, which would mix up their uploads.
    """

    def __init__(self, key: str):
        self.key = key

    def get_fingerprint(self, fs):
        return self.key


class LockedStorage(Storage):
    """tuspy's FileStorage (TinyDB) shared safely by the upload threads."""

    def __init__(self, path: Path):
        self._lock = threading.Lock()
        try:
            if path.exists():
                json.loads(path.read_text() or "{}")
        except ValueError:  # a run killed while writing it; the finished files are in the state file
            path.rename(path.with_suffix(".corrupt"))
        self._storage = FileStorage(str(path))

    def get_item(self, key):
        with self._lock:
            return self._storage.get_item(key)

    def set_item(self, key, url):
        with self._lock:
            self._storage.set_item(key, url)

    def remove_item(self, key):
        with self._lock:
            self._storage.remove_item(key)


class StateFile:
    """The files finished so far, written atomically after each one."""

    def __init__(self, path: Path, *, url: str, folder: Path):
        self.path = path
        self._lock = threading.Lock()
        self.data = {"url": url, "folder": str(folder), "done": {}}
        if path.exists():
            with contextlib.suppress(ValueError):
                self.data["done"] = json.loads(path.read_text())["done"]

    def is_done(self, entry: "LocalFile") -> bool:
        done = self.data["done"].get(entry.relative_path)
        return bool(done) and done["size"] == entry.size and done["mtime_ns"] == entry.mtime_ns

    def mark_done(self, entry: "LocalFile", upload_url: str) -> None:
        with self._lock:
            self.data["done"][entry.relative_path] = {
                "size": entry.size,
                "mtime_ns": entry.mtime_ns,
                "upload_url": upload_url,
            }
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(self.data, indent=1))
            os.replace(temporary, self.path)


@dataclass(frozen=True)
class LocalFile:
    path: Path
    relative_path: str
    size: int
    mtime_ns: int


def local_files(folder: Path, *, strip_top_folder: bool = False) -> list[LocalFile]:
    """The files under `folder`, each with its path in the upload area: from the folder's name on, as a browser
    sends a dropped folder (webkitRelativePath), or from inside the folder with `strip_top_folder`."""
    root = folder if strip_top_folder else folder.parent
    files = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            files.append(LocalFile(path, path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns))
    return files


def default_state_file(url: str, folder: Path) -> Path:
    digest = hashlib.sha256(f"{url}\n{folder}".encode()).hexdigest()[:16]
    return Path.home() / ".cache" / "bioimage-upload" / f"{digest}.json"


def upload_one(entry: LocalFile, *, client, storage, chunk_size: int, progress, throttle: float) -> str:
    """Send one file (resuming it if the server holds part of it) and return its upload URL."""
    options = {
        "file_path": str(entry.path),
        "chunk_size": chunk_size,
        "metadata": {"filename": entry.path.name, "relativePath": entry.relative_path},
        "store_url": True,
        "url_storage": storage,
        "fingerprinter": PathFingerprint(f"{entry.relative_path}|{entry.size}|{entry.mtime_ns}"),
        "upload_checksum": True,
        "retries": 3,
        "retry_delay": 2,
    }
    key = options["fingerprinter"].key
    try:
        uploader = Sha256Uploader(client=client, **options)
    except TusCommunicationError as error:
        if error.status_code not in (404, 410):
            raise
        # The stored upload is gone (deleted, or past its deletion date): start the file again.
        storage.remove_item(key)
        uploader = Sha256Uploader(client=client, **options)
    if not uploader.url:
        uploader.set_url(uploader.create_url())
        uploader.offset = 0
    progress.update(uploader.offset)
    while uploader.offset < entry.size:
        before = uploader.offset
        uploader.upload_chunk()
        progress.update(uploader.offset - before)
        if throttle:
            time.sleep(throttle)
    storage.remove_item(key)
    return uploader.url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Paths start with the folder's name, as when the folder is dropped in the browser: uploading "
        "hela-fission gives hela-fission/raw/cell_01.tif. Write your File List with these paths.",
    )
    parser.add_argument("folder", type=Path, help="folder to upload, recursively (its name starts the paths)")
    parser.add_argument("--url", required=True, help="portal address, e.g. https://archive.example.org")
    parser.add_argument("--token", default=os.environ.get("BIOIMAGE_TOKEN"), help="API token (or BIOIMAGE_TOKEN)")
    parser.add_argument("--parallel", type=int, default=4, help="files sent at once (default 4)")
    parser.add_argument("--chunk-size", type=parse_size, default=parse_size("8MiB"), help="bytes a request")
    parser.add_argument("--state-file", type=Path, help="default: ~/.cache/bioimage-upload/<hash>.json")
    parser.add_argument(
        "--strip-top-folder",
        action="store_true",
        help="leave the folder's own name out of the paths (FOLDER/raw/a.tif becomes raw/a.tif, not FOLDER/raw/a.tif)",
    )
    # Pause after each chunk; only for tests that interrupt a run half-way.
    parser.add_argument("--throttle", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give --token or set BIOIMAGE_TOKEN")
    folder = args.folder.resolve()
    if not folder.is_dir():
        parser.error(f"not a folder: {args.folder}")
    if not folder.name and not args.strip_top_folder:
        parser.error(f"{folder} has no name to start the paths with; give --strip-top-folder")

    url = args.url.rstrip("/")
    state_path = (args.state_file or default_state_file(url, folder)).expanduser()
    state_path.parent.mkdir(parents=True, exist_ok=True)
    state = StateFile(state_path, url=url, folder=folder)
    storage = LockedStorage(state_path.with_suffix(".urls.json"))
    client = TusClient(url + TUS_PATH, headers={"Authorization": f"Token {args.token}"})

    files = local_files(folder, strip_top_folder=args.strip_top_folder)
    pending = [entry for entry in files if not state.is_done(entry)]
    skipped = len(files) - len(pending)
    print(f"{len(files)} files in {folder}; {skipped} skipped (already uploaded), {len(pending)} to send.")
    failed: list[tuple[LocalFile, str]] = []
    progress = tqdm(total=sum(entry.size for entry in pending), unit="B", unit_scale=True, unit_divisor=1024)
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.parallel)) as pool:
            futures = {
                pool.submit(
                    upload_one,
                    entry,
                    client=client,
                    storage=storage,
                    chunk_size=args.chunk_size,
                    progress=progress,
                    throttle=args.throttle,
                ): entry
                for entry in pending
            }
            for future in as_completed(futures):
                entry = futures[future]
                try:
                    state.mark_done(entry, future.result())
                except Exception as error:  # report every failure and carry on with the other files
                    failed.append((entry, str(error) or type(error).__name__))
    except KeyboardInterrupt:
        progress.close()
        print("Interrupted; run the same command again to resume.", file=sys.stderr)
        return 130
    progress.close()
    print(f"{len(pending) - len(failed)} uploaded, {skipped} skipped (already uploaded), {len(failed)} failed.")
    for entry, reason in failed:
        print(f"FAILED {entry.relative_path}: {reason}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
