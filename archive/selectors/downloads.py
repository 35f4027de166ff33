"""Whole-study and folder downloads that keep the folders: a streamed ZIP and a download list (docs/design.md §10.2).

Both serve the files of one version that the caller may download (removed files never, P-REMOVE), under an
optional folder: a path prefix ending at "/". The caller resolves the version through the visibility
selector first; nothing here decides who sees a study. Rows are read with a server-side iterator, never
all at once, and file bytes are read from archive storage in chunks, never copied to a temporary file.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

import zipstream.ng
from django.conf import settings
from django.db.models import QuerySet
from isal import isal_zlib
from zipstream import ZipStream

from archive.exports.rocrate import CRATE_COLUMNS, CRATE_NAME, VersionCrate
from archive.models import ArchiveFile, StudyVersion
from archive.selectors.manifest import downloadable_files, manifest_blocks, manifest_line
from archive.selectors.visibility import StudyNotFound
from archive.storage import archive_storage
from core.errors import PolicyViolation

ROWS_PER_FETCH = 2000
# A file's bytes go into the ZIP in reads that stay in the CPU's cache while the CRC-32 reads them again:
# 4 MiB reads ran at half the speed of 1 MiB ones on 2 GiB (bench/large_study.py, bench/README.md).
ZIP_READ_SIZE = 1024 * 1024

# zipstream-ng checksums every entry with zipfile's crc32, the system zlib's: about 0.5 GB/s here, slower than
# reading the files. ISA-L's CRC-32 gives the same values about seven times faster (bench/zip_download.py).
zipstream.ng.crc32 = isal_zlib.crc32
MANIFEST_NAME = "manifest.sha256"


class ZipTooLarge(PolicyViolation):
    """The ZIP would pass DOWNLOAD_ZIP_MAX_BYTES or DOWNLOAD_ZIP_MAX_FILES: the download list serves any size."""

    status = 409

    def __init__(self, message: str):
        super().__init__(rule="DOWNLOAD-ZIP-LIMIT", field="non_field_errors", message=message)


def folder_check(folder: str) -> str:
    """Return `folder` if it is "" (the whole version) or a plain relative path ending at "/"; else refuse it."""
    segments = folder.split("/")
    plain = all(segment not in ("", ".", "..") for segment in segments[:-1])
    if folder and not (plain and segments[-1] == "" and all(ord(c) >= 32 and ord(c) != 127 for c in folder)):
        raise PolicyViolation(
            rule="DOWNLOAD-FOLDER",
            field="folder",
            message='A folder is a path inside the study ending with "/", such as "raw/" or "raw/plate 1/".',
        )
    return folder


@dataclass(frozen=True)
class Download:
    """The files of one version (or of one folder of it) that a caller may download."""

    version: StudyVersion
    user: object
    folder: str

    @property
    def name(self) -> str:
        """The ZIP's name and top folder, and the download list's target folder: `S-BIAD1-v2[-raw-plate 1]`."""
        base = f"{self.version.study.accession}-v{self.version.number}"
        return f"{base}-{self.folder.rstrip('/').replace('/', '-')}" if self.folder else base

    def files(self) -> QuerySet[ArchiveFile]:
        return downloadable_files(version=self.version, user=self.user, folder=self.folder)

    def rows(self, *fields: str) -> Iterator[tuple]:
        """Yield `fields` of each file in path order, a fetch of ROWS_PER_FETCH rows at a time."""
        return self.files().values_list(*fields).iterator(chunk_size=ROWS_PER_FETCH)


def download_get(*, version: StudyVersion, user, folder: str = "") -> Download:
    """Return the download of `version` (resolved through the visibility selector) or of its `folder`.

    Raise PolicyViolation for a malformed folder and StudyNotFound for a folder with no file to download.
    """
    folder_check(folder)
    download = Download(version=version, user=user, folder=folder)
    if folder and not download.files().exists():
        raise StudyNotFound(f"{version} folder {folder}")
    return download


# --- The streamed ZIP --------------------------------------------------------------------------


class _StoredContent:
    """The bytes stored under one key, opened only when the ZIP reaches them and read in chunks."""

    __slots__ = ("key",)

    def __init__(self, key: str):
        self.key = key

    def __iter__(self) -> Iterator[bytes]:
        handle = archive_storage().open(self.key, "rb")
        try:
            s3_object = getattr(handle, "obj", None)
            if s3_object is not None:  # django-storages' S3File would spool the whole object: stream its body
                yield from s3_object.get()["Body"].iter_chunks(ZIP_READ_SIZE)
                return
            while chunk := handle.read(ZIP_READ_SIZE):
                yield chunk
        finally:
            handle.close()


class _Manifest:
    """The `sha256sum -c` manifest of a download's files, written at the end of its ZIP."""

    def __init__(self, download: Download):
        self.download = download

    def __iter__(self) -> Iterator[bytes]:
        # Read again rather than kept: the rows are immutable, and a curator's removal meanwhile
        # changes the size, which makes the sized stream stop with an error instead of lying.
        download = self.download
        return manifest_blocks(version=download.version, user=download.user, folder=download.folder)


def download_zip(download: Download, *, crate: VersionCrate | None = None) -> ZipStream:
    """Return the ZIP of a download, ready to stream: stored (no compression), ZIP64 where needed, sized.

    Every entry lies under the download's name, so `unzip X.zip && cd X && sha256sum -c manifest.sha256`
    checks it; with `crate` (the download's files' RO-Crate), `ro-crate-metadata.json` beside the manifest
    makes that folder an RO-Crate. Either is left out when the study has a file of its name at its root.
    Raise ZipTooLarge past DOWNLOAD_ZIP_MAX_FILES files or DOWNLOAD_ZIP_MAX_BYTES bytes of files (counted while
    they are queued, so refusing reads at most that many rows): the files alone, as `zip_allowed` offers the ZIP
    by, so the small manifest and crate never turn an offered ZIP into a refusal.
    """
    stream = ZipStream(sized=True)
    files = total = manifest_size = crate_rows_bytes = 0
    own_names = set()
    columns = ("storage_key", *CRATE_COLUMNS)  # path, size, sha256, status, attributes
    for key, *row in download.rows(*columns):
        path, size, sha256 = row[:3]
        files, total = files + 1, total + size
        if not zip_allowed(files_count=files, total_size=total):
            raise ZipTooLarge(zip_limit_message())
        stream.add(_StoredContent(key), f"{download.name}/{path}", size=size)
        manifest_size += len(manifest_line(sha256, path).encode())
        if crate is not None:
            crate_rows_bytes += crate.row_bytes(tuple(row))
        if path in (MANIFEST_NAME, CRATE_NAME):
            own_names.add(path)
    if MANIFEST_NAME not in own_names:
        stream.add(_Manifest(download), f"{download.name}/{MANIFEST_NAME}", size=manifest_size)
    if crate is not None and CRATE_NAME not in own_names:
        crate_size = crate.size(files=files, rows_bytes=crate_rows_bytes)
        # Written from a read of its own, like the manifest: a removal meanwhile stops the sized stream.
        stream.add((chunk.encode() for chunk in crate.chunks()), f"{download.name}/{CRATE_NAME}", size=crate_size)
    return stream


def zip_allowed(*, files_count: int, total_size: int) -> bool:
    """Whether a ZIP of `files_count` files of `total_size` bytes is within the limits: the one rule a page offers
    the ZIP by and `download_zip` refuses by."""
    return files_count <= settings.DOWNLOAD_ZIP_MAX_FILES and total_size <= settings.DOWNLOAD_ZIP_MAX_BYTES


def zip_limit_message() -> str:
    gib = settings.DOWNLOAD_ZIP_MAX_BYTES / 1024**3
    return (
        f"A ZIP holds at most {settings.DOWNLOAD_ZIP_MAX_FILES:,} files and {gib:,.0f} GiB. "
        "Download this study or folder with its download list (aria2c, wget or curl) instead: it keeps "
        "the folders and has no size limit."
    )


# --- The download list -------------------------------------------------------------------------

LIST_FORMATS = ("aria2c", "wget", "curl")


def list_format_check(name: str) -> None:
    if name not in LIST_FORMATS:
        raise PolicyViolation(
            rule="DOWNLOAD-LIST-FORMAT", field="format", message=f"The format is one of {', '.join(LIST_FORMATS)}."
        )


@dataclass(frozen=True)
class ListAddresses:
    """Where a download list's entries point: the portal's route space for the version, or the reviewer link's."""

    file_prefix: str  # absolute URL that a file's quoted path completes
    manifest_url: str  # absolute URL of the manifest of the download's files
    crate_url: str = ""  # absolute URL of their RO-Crate, which the ZIP carries too; "" where it carries none

    @property
    def cut_dirs(self) -> int:
        """wget's --cut-dirs for file URLs: the path segments before the file's own path."""
        return self.file_prefix.split("://", 1)[-1].rstrip("/").count("/")


def _signed_url_maker() -> Callable[[str], str] | None:
    """Return a maker of object-store URLs signed for DOWNLOAD_LIST_URL_SECONDS, or None on local storage."""
    storage = archive_storage()
    try:
        storage.path("probe")
    except NotImplementedError:
        return lambda key: storage.url(key, expire=settings.DOWNLOAD_LIST_URL_SECONDS)
    return None


def _curl_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list_entry(list_format: str, url: str, target: str, sha256: str = "") -> str:
    """One download's lines: aria2c and curl save it as `target` (aria2c checking `sha256` if given); wget, whose
    lines are URLs only, saves it by the path after `--cut-dirs` or by its `Content-Disposition`."""
    if list_format == "aria2c":
        return f"{url}\n  out={target}\n" + (f"  checksum=sha-256={sha256}\n" if sha256 else "")
    if list_format == "curl":
        return f"url = {_curl_quoted(url)}\noutput = {_curl_quoted(target)}\n"
    return url + "\n"


def download_list_lines(download: Download, *, addresses: ListAddresses, list_format: str) -> Iterator[str]:
    """Yield the download list of `download` for aria2c (`aria2c -i`), wget (`wget -i`) or curl (`curl -K`).

    aria2c and curl get each file's target path; aria2c also gets its SHA-256 and checks it. With object
    storage they get signed object-store URLs. wget takes URLs only and keeps the path that follows
    `--cut-dirs` segments of each URL, so its list always names the portal's file URLs (which redirect to
    the object store). The manifest and, where the ZIP carries one, the RO-Crate come last, beside the files as
    in the ZIP (left out, as there, when the study has a root file of that name), so `sha256sum -c
    manifest.sha256` runs in the target folder.
    """
    list_format_check(list_format)
    root = download.name
    sign = _signed_url_maker() if list_format != "wget" else None
    if list_format != "wget":  # wget takes every line for a URL, comments too
        yield f"# {root}: the files of {download.version}{f' in {download.folder}' if download.folder else ''}.\n"
        yield f"# {list_command(list_format, root=root, addresses=addresses)}\n"
    if list_format == "curl":
        yield "create-dirs\nfail\nlocation\n"
    own_names = set()
    for path, sha256, key in download.rows("path", "sha256", "storage_key"):
        url = sign(key) if sign else addresses.file_prefix + quote(path)
        yield _list_entry(list_format, url, f"{root}/{path}", sha256)
        if path in (MANIFEST_NAME, CRATE_NAME):
            own_names.add(path)
    for name, url in ((MANIFEST_NAME, addresses.manifest_url), (CRATE_NAME, addresses.crate_url)):
        if url and name not in own_names:
            yield _list_entry(list_format, url, f"{root}/{name}")


def list_command(list_format: str, *, root: str, addresses: ListAddresses) -> str:
    """The command that runs a list saved as `<root>.txt`, leaving the files under `<root>/`."""
    if list_format == "aria2c":
        return f"aria2c -i {root}.txt"
    if list_format == "curl":
        return f"curl -K {root}.txt"
    return (
        f"wget -x -nH --cut-dirs={addresses.cut_dirs} --restrict-file-names=nocontrol "
        f"--content-disposition -P {root} -i {root}.txt"
    )
