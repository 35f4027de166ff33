"""HTTP answers for archive file downloads: conditional requests, byte ranges, streaming.

The bytes come from archive storage. A storage with local paths (the one-machine
default) is streamed by this process in bounded chunks; an object store answers
itself through a short-lived signed URL, which handles ranges and caching too.
"""

import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import quote

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

from archive.models import ArchiveFile
from archive.storage import CHUNK_SIZE, archive_storage

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class RangeNotSatisfiable(Exception):
    """The request asked for bytes the file does not have: answer 416."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_range(header: str, size: int) -> ByteRange | None:
    """Return the single byte range that `header` asks for, or None to send the whole file.

    Supports `bytes=a-b`, `bytes=a-` and `bytes=-n`. A header we cannot parse is
    ignored, as RFC 9110 §14.2 allows. Several ranges also get the whole file:
    download tools ask for one range at a time, and the whole representation is
    a correct answer that spares us multipart/byteranges bodies.
    Raise RangeNotSatisfiable when the one range lies outside the file.
    """
    if not header or "," in header:
        return None
    match = _RANGE.match(header)
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last n bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return ByteRange(max(size - suffix, 0), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None  # syntactically invalid: ignore the header
    if start >= size:
        raise RangeNotSatisfiable
    end = int(last) if last else size - 1
    return ByteRange(start, min(end, size - 1))


def etag_of(file: ArchiveFile) -> str:
    return f'"{file.sha256}"'


def last_modified_of(file: ArchiveFile) -> int:
    """The file's Last-Modified as a Unix time: when its version was made (a version's files never change)."""
    return int(file.version.created_at.timestamp())


def if_range_holds(header: str, *, etag: str, last_modified: int) -> bool:
    """True when If-Range names the current representation: its strong ETag or its exact Last-Modified date."""
    header = header.strip()
    if header.startswith(('"', "W/")):
        return header == etag  # a weak tag never matches (RFC 9110 §13.1.5)
    return parse_http_date_safe(header) == last_modified


# What a compressed file is served as: the archive hands out the bytes as stored, never unpacked in transit.
_COMPRESSED_TYPES = {
    "br": "application/x-brotli",
    "bzip2": "application/x-bzip",
    "compress": "application/x-compress",
    "gzip": "application/gzip",
    "xz": "application/x-xz",
}


def content_type_of(filename: str) -> str:
    """The media type a file of this name is served and described with (downloads, JSON-LD)."""
    content_type, encoding = mimetypes.guess_type(filename)
    if encoding is not None:
        return _COMPRESSED_TYPES.get(encoding, "application/octet-stream")
    return content_type or "application/octet-stream"


def _ascii_fallback(filename: str) -> str:
    # For clients that only read `filename`: accents are dropped, other non-ASCII characters, quotes,
    # backslashes and percent signs become "_" (RFC 6266 §D: user agents disagree on escapes and %XX).
    kept = []
    for char in unicodedata.normalize("NFKD", filename):
        if unicodedata.combining(char):
            continue
        kept.append(char if " " <= char <= "~" and char not in '"\\%' else "_")
    return "".join(kept)


def attachment_disposition(filename: str) -> str:
    """Content-Disposition for a download: an ASCII `filename` and the exact UTF-8 `filename*` (RFC 6266)."""
    return f"attachment; filename=\"{_ascii_fallback(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"


class BoundedReader:
    """Read at most `length` bytes of `stream` from its current position, then close it."""

    def __init__(self, stream: BinaryIO, length: int):
        self._stream = stream
        self._left = length

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        size = self._left if size is None or size < 0 else min(size, self._left)
        data = self._stream.read(size)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._stream.close()


def _has_local_path(storage, key: str) -> bool:
    try:
        storage.path(key)
    except NotImplementedError:
        return False
    return True


def file_response(request: HttpRequest, file: ArchiveFile, *, public: bool) -> HttpResponse:
    """Answer a GET or HEAD for one archive file: 304, 412, 206, 416, 200 or a redirect to the object store."""
    filename = file.path.rsplit("/", 1)[-1]
    etag = etag_of(file)
    last_modified = last_modified_of(file)
    validators = {
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Cache-Control": "public, max-age=3600" if public else "private, no-cache",
    }

    # If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since, in RFC 9110 §13.2.2's order;
    # judged here for the object store too, which knows neither our ETag nor our Last-Modified.
    precondition = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if precondition is not None:  # 304 Not Modified or 412 Precondition Failed
        for header, value in validators.items():
            precondition[header] = value
        return precondition

    storage = archive_storage()
    if not _has_local_path(storage, file.storage_key):
        # S3 and friends: the object store serves ranges itself.
        url = storage.url(file.storage_key, parameters={"ResponseContentDisposition": attachment_disposition(filename)})
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"  # the signed URL expires soon
        return response

    range_header = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range")
    if if_range and not if_range_holds(if_range, etag=etag, last_modified=last_modified):
        range_header = ""  # the client's partial copy is stale: send it all
    try:
        byte_range = parse_range(range_header, file.size)
    except RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{file.size}"
        response["Accept-Ranges"] = "bytes"
        return response

    stream = storage.open(file.storage_key, "rb")
    if byte_range is None:
        start, length = 0, file.size
    else:
        start, length = byte_range.start, byte_range.length
        stream.seek(start)
    response = FileResponse(
        BoundedReader(stream, length), content_type=content_type_of(filename), status=206 if byte_range else 200
    )
    response.block_size = CHUNK_SIZE
    response["Content-Length"] = str(length)
    response["Content-Disposition"] = attachment_disposition(filename)
    if byte_range is not None:
        response["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{file.size}"
    response["Accept-Ranges"] = "bytes"
    for header, value in validators.items():
        response[header] = value
    return response
