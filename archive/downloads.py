"""HTTP answers for archive file downloads: conditional requests, byte ranges, streaming.

The bytes come from archive storage. A storage with local paths (the one-machine
default) is streamed by this process in bounded chunks; an object store answers
itself through a short-lived signed URL, which handles ranges and caching too.
"""

import re
from dataclasses import dataclass
from typing import BinaryIO

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotModified, HttpResponseRedirect
from django.utils.http import content_disposition_header

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


def etag_matches(header: str, etag: str) -> bool:
    """Weak comparison, as If-None-Match requires (RFC 9110 §13.1.2)."""
    if header.strip() == "*":
        return True
    candidates = (tag.strip().removeprefix("W/") for tag in header.split(","))
    return etag in candidates


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
    """Answer a GET or HEAD for one archive file: 304, 206, 416, 200 or a redirect to the object store."""
    filename = file.path.rsplit("/", 1)[-1]
    etag = etag_of(file)
    cache_control = "public, max-age=3600" if public else "private, no-cache"
    storage = archive_storage()

    if not _has_local_path(storage, file.storage_key):
        # S3 and friends: the object store serves ranges and ETags itself.
        url = storage.url(
            file.storage_key, parameters={"ResponseContentDisposition": content_disposition_header(True, filename)}
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"  # the signed URL expires soon
        return response

    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and etag_matches(if_none_match, etag):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        response["Cache-Control"] = cache_control
        return response

    range_header = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range")
    if if_range and if_range.strip() != etag:
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
        BoundedReader(stream, length), as_attachment=True, filename=filename, status=206 if byte_range else 200
    )
    response.block_size = CHUNK_SIZE
    response["Content-Length"] = str(length)
    if byte_range is not None:
        response["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{file.size}"
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response
