"""What the fast append path must keep: exact lengths, every byte hashed, flat memory.

The body of a PATCH is received straight from gunicorn's client socket
(uploads.tus.RequestBody) and hashed on a second thread (uploads.storage); see
bench/ingest.py for the figures. These tests hold the rules that speed must not bend.
"""

import hashlib
import io
import itertools
import socket
import threading
import tracemalloc

from django.test import RequestFactory
from gunicorn.config import Config
from gunicorn.http.parser import RequestParser

from uploads.storage import CHUNK_SIZE, PIPELINE_BUFFERS, append_body, hash_states
from uploads.tus import RequestBody


class PatternBody:
    """`size` bytes of a repeating pattern, made as they are read (nothing held in memory)."""

    def __init__(self, size: int, *, fail_after: int | None = None):
        self.size = size
        self.sent = 0
        self.fail_after = fail_after
        self.digest = hashlib.sha256()

    def readinto(self, buffer) -> int:
        if self.fail_after is not None and self.sent >= self.fail_after:
            raise ConnectionResetError("client went away")
        # Odd-sized reads, so chunks and reads never line up.
        count = min(len(buffer), self.size - self.sent, 1_000_003)
        data = bytes((self.sent + i) % 251 for i in range(min(count, 251))) * (count // 251 + 1)
        buffer[:count] = data[:count]
        self.digest.update(data[:count])
        self.sent += count
        return count


def _append(tmp_path, body, limit: int, key: str):
    path = tmp_path / "upload"
    path.touch()
    with open(path, "r+b", buffering=0) as handle:
        appended = append_body(handle=handle, key=key, offset=0, limit=limit, body=body, checksum=None)
    return appended, path


def test_p_integrity_append_hashes_every_byte_written_with_flat_memory(tmp_path):
    size = 12 * CHUNK_SIZE + 12_345
    body = PatternBody(size)
    tracemalloc.start()
    try:
        appended, path = _append(tmp_path, body, size, "flat-memory")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert appended.written == size == path.stat().st_size
    assert appended.digest.hexdigest() == body.digest.hexdigest()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == body.digest.hexdigest()
    # The reused buffers and little else, whatever the body's size.
    assert peak < PIPELINE_BUFFERS * CHUNK_SIZE + 4 * 1024 * 1024


def test_append_never_reads_past_its_limit(tmp_path):
    body = io.BytesIO(bytes(range(256)) * (5 * CHUNK_SIZE // 256))
    limit = 2 * CHUNK_SIZE + 7
    appended, path = _append(tmp_path, body, limit, "limit")
    assert appended.written == limit == path.stat().st_size == body.tell()


def test_p_integrity_client_gone_mid_body_keeps_and_hashes_the_bytes_received(tmp_path):
    # The failure comes part-way through filling a buffer: what that buffer holds was received and is kept.
    body = PatternBody(10 * CHUNK_SIZE, fail_after=CHUNK_SIZE + 3_000_009)
    appended, path = _append(tmp_path, body, body.size, "gone")
    assert appended.written == body.sent == path.stat().st_size
    assert appended.digest.hexdigest() == body.digest.hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()


def _gunicorn_request(raw: bytes):
    """Send `raw` over a real socket and parse its first request with gunicorn's own parser."""
    server, client = socket.socketpair()

    def send():
        with client:
            client.sendall(raw)

    threading.Thread(target=send, daemon=True).start()
    parser = RequestParser(Config(), server, ("127.0.0.1", 0))
    return server, parser, next(parser)


def test_gunicorn_body_is_taken_to_its_end_and_a_pipelined_request_left_to_gunicorn(tmp_path):
    data = bytes(range(256)) * 4096 + b"tail"
    raw = (
        b"PATCH /api/v1/uploads/tus/x/ HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % len(data)
        + data
        + b"HEAD /next/ HTTP/1.1\r\nHost: t\r\n\r\n"
    )
    server, parser, message = _gunicorn_request(raw)
    with server:
        request = RequestFactory().generic("PATCH", "/", **{"wsgi.input": message.body})
        appended, path = _append(tmp_path, RequestBody(request, len(data)), len(data), "gunicorn")
        assert path.read_bytes() == data
        assert appended.digest.hexdigest() == hashlib.sha256(data).hexdigest()
        assert message.body.reader.length == 0  # gunicorn knows the body was taken
        assert next(parser).path == "/next/"


def test_gunicorn_body_shorter_than_announced_keeps_what_arrived(tmp_path):
    data = b"x" * 100_000
    raw = b"PATCH /u/ HTTP/1.1\r\nHost: t\r\nContent-Length: 300000\r\n\r\n" + data
    server, _, message = _gunicorn_request(raw)
    with server:
        request = RequestFactory().generic("PATCH", "/", **{"wsgi.input": message.body})
        appended, path = _append(tmp_path, RequestBody(request, 300_000), 300_000, "short")
        assert appended.written == len(data)
        assert path.read_bytes() == data


def test_p_integrity_appends_at_unaligned_offsets_keep_every_byte_in_place(tmp_path):
    # Whole blocks go straight to disk and partial ones through the page cache; a resume in
    # another process (hash state forgotten) re-reads the prefix from the file.
    data = bytes(range(251)) * (3 * CHUNK_SIZE // 251)
    cuts = [0, 1, 4095, 4097, CHUNK_SIZE + 17, 2 * CHUNK_SIZE - 1, len(data)]
    path = tmp_path / "upload"
    path.touch()
    for start, end in itertools.pairwise(cuts):
        hash_states.clear()
        with open(path, "r+b", buffering=0) as handle:
            appended = append_body(
                handle=handle,
                key="unaligned",
                offset=start,
                limit=end - start,
                body=io.BytesIO(data[start:end]),
                checksum=None,
            )
        assert appended.written == end - start
        assert appended.digest.hexdigest() == hashlib.sha256(data[:end]).hexdigest()
    assert path.read_bytes() == data
