"""The tus 1.0.0 endpoint (https://tus.io/protocols/resumable-upload) for upload areas.

A plain Django view, not DRF: PATCH bodies stream to disk in chunks and are
never read into memory; they are read from the WSGI input directly (RequestBody),
not through request.read(), which hands out a new bytes object per chunk. Each
handler parses headers, calls one service and answers; service errors carry
their status (uploads.errors). CSRF is checked here, deliberately, for
session-authenticated requests only (browsers send X-CSRFToken);
token-authenticated clients are not subject to it.
"""

import base64
import binascii
import io
import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authentication import CSRFCheck, TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from core.errors import PolicyViolation
from uploads.errors import UploadError
from uploads.models import UploadFile
from uploads.selectors import upload_file_get_resumable
from uploads.services.upload import upload_append, upload_create, upload_max_file_bytes, upload_terminate
from uploads.storage import CHECKSUM_ALGORITHMS, Checksum

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,creation-with-upload,expiration,checksum,termination"
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"


class BadRequest(UploadError):
    def __init__(self, *, field: str, message: str, rule: str = "TUS-PROTOCOL", status: int = 400):
        super().__init__(rule=rule, field=field, message=message)
        self.status = status


def _error(exc: PolicyViolation) -> HttpResponse:
    # Every PolicyViolation carries its status: upload errors theirs, any other broken rule (e.g. a bad path) 400.
    response = JsonResponse(exc.as_dict(), status=exc.status)
    if exc.status == 460:
        response.reason_phrase = "Checksum Mismatch"
    return response


def _whole_number(request: HttpRequest, header: str) -> int:
    raw = request.headers.get(header, "")
    if not (raw.isascii() and raw.isdigit()):
        raise BadRequest(field=header, message=f"Give {header} as a whole number of bytes.")
    return int(raw)


def _body_length(request: HttpRequest) -> int:
    """The Content-Length of a body of upload data; a body without one (chunked) is refused with 411.

    A chunked body is refused rather than read: WSGI servers differ in whether
    they decode one (Django's development server passes none of it on), and
    bytes that cannot be counted must not be acknowledged as received.
    """
    raw = request.META.get("CONTENT_LENGTH") or ""
    if "HTTP_TRANSFER_ENCODING" in request.META or not (raw.isascii() and raw.isdigit()):
        raise BadRequest(
            field="Content-Length",
            message="Send upload data with a Content-Length header; chunked transfer encoding is not accepted.",
            status=411,
        )
    return int(raw)


class RequestBody:
    """A request's body of `length` bytes as a stream with readinto(); never reads past its end.

    Under gunicorn, a body of known length is received straight from the client
    socket into the caller's buffer: gunicorn's own reader passes every chunk
    through two BytesIO buffers into a new bytes object, which costs more CPU than
    receiving, writing and hashing it. gunicorn's reader is told how much of the
    body was taken, so a kept-alive connection finds the next request where it
    starts. Any other server's input (and a gunicorn reader of another shape) is
    read through its own readinto() or read().
    """

    def __init__(self, request: HttpRequest, length: int):
        self._stream = request.environ["wsgi.input"]
        self._remaining = length
        self._length_reader = None
        self._socket = None
        self._pending = memoryview(b"")
        reader = getattr(self._stream, "reader", None)
        unreader = getattr(reader, "unreader", None)
        if (
            type(self._stream).__module__ == "gunicorn.http.body"
            and type(reader).__name__ == "LengthReader"
            and type(unreader).__name__ == "SocketUnreader"
            and isinstance(getattr(self._stream, "buf", None), io.BytesIO)
            and isinstance(getattr(unreader, "buf", None), io.BytesIO)
            and self._stream.buf.tell() == 0  # nothing of the body read through gunicorn yet
            and reader.length == length
        ):
            # What gunicorn received past the headers; anything beyond the body (a
            # pipelined request) goes back to it.
            received = unreader.buf.getvalue()
            unreader.buf = io.BytesIO()
            if len(received) > length:
                unreader.unread(received[length:])
            self._pending = memoryview(received[:length])
            self._length_reader = reader
            self._socket = unreader.sock

    def readinto(self, buffer) -> int:
        wanted = min(len(buffer), self._remaining)
        if not wanted:
            return 0
        if self._pending:
            count = min(wanted, len(self._pending))
            buffer[:count] = self._pending[:count]
            self._pending = self._pending[count:]
        elif self._socket is not None:
            try:
                count = self._socket.recv_into(buffer, wanted)
            except OSError:
                # Where the next request starts is now unknown: gunicorn must close the connection.
                self._stream.failed = True
                raise
        elif hasattr(self._stream, "readinto"):
            count = self._stream.readinto(memoryview(buffer)[:wanted])
        else:
            data = self._stream.read(wanted)
            count = len(data)
            buffer[:count] = data
        self._remaining -= count
        if self._length_reader is not None:
            self._length_reader.length -= count
        return count


def _checksum(request: HttpRequest) -> Checksum | None:
    raw = request.headers.get("Upload-Checksum")
    if raw is None:
        return None
    algorithm, _, encoded = raw.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise BadRequest(
            field="Upload-Checksum", message=f"Checksum algorithm must be one of {', '.join(CHECKSUM_ALGORITHMS)}."
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise BadRequest(
            field="Upload-Checksum", message="Give the checksum as '<algorithm> <base64 digest>'."
        ) from None
    return Checksum(algorithm=algorithm, digest=digest)


def _metadata(request: HttpRequest) -> dict[str, str]:
    """Decode Upload-Metadata: comma-separated `key base64value` pairs (the value may be absent)."""
    metadata = {}
    for pair in request.headers.get("Upload-Metadata", "").split(","):
        key, _, encoded = pair.strip().partition(" ")
        if not key:
            continue
        try:
            metadata[key] = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise BadRequest(
                field="Upload-Metadata", message=f"The value of '{key}' must be base64-encoded UTF-8."
            ) from None
    return metadata


def _relative_path(metadata: dict[str, str]) -> str:
    # Uppy sends relativePath as the text "null" for a file picked outside a folder.
    relative_path = metadata.get("relativePath")
    if relative_path in (None, "", "null"):
        return metadata.get("filename", "")
    return relative_path


def _method_not_allowed(method: str, allowed: tuple[str, ...]) -> HttpResponse:
    allow = ", ".join(name.upper() for name in (*allowed, "options"))
    response = JsonResponse(
        {"method": [f"{method.upper()} is not allowed on this URL; it takes {allow}."], "rule": "TUS-PROTOCOL"},
        status=405,
    )
    response["Allow"] = allow
    response["Tus-Version"] = TUS_VERSION
    return response


def _upload_headers(upload: UploadFile) -> dict[str, str]:
    return {"Upload-Offset": str(upload.offset), "Upload-Expires": http_date(upload.expires_at.timestamp())}


def _authenticate(request: HttpRequest):
    """Return the caller (API token, or session with a valid CSRF token) or raise an UploadError."""
    try:
        token_user = TokenAuthentication().authenticate(request)
    except AuthenticationFailed as exc:
        raise BadRequest(field="Authorization", message=str(exc.detail), rule="AUTH", status=401) from None
    if token_user is not None:
        return token_user[0]
    user = request.user
    if not user.is_authenticated:
        raise BadRequest(
            field="Authorization", message="Sign in, or send 'Authorization: Token <key>'.", rule="AUTH", status=401
        )
    check = CSRFCheck(lambda _request: None)
    check.process_request(request)
    reason = check.process_view(request, None, (), {})
    if reason:
        raise BadRequest(field="X-CSRFToken", message=f"CSRF check failed: {reason}.", rule="CSRF", status=403)
    return user


@method_decorator(csrf_exempt, name="dispatch")
class TusView(View):
    """`/api/v1/uploads/tus/` (POST creates) and `/api/v1/uploads/tus/<uuid>/` (HEAD, PATCH, DELETE)."""

    def dispatch(self, request, upload_id: uuid.UUID | None = None):
        method = request.method.lower()
        override = request.headers.get("X-HTTP-Method-Override", "").lower()
        if method == "post" and override in ("patch", "delete"):
            method = override
        if method == "options":
            return self.options(request)
        allowed = ("head", "patch", "delete") if upload_id else ("post",)
        if method not in allowed:
            response = _method_not_allowed(method, allowed)
        elif request.headers.get("Tus-Resumable") != TUS_VERSION:
            response = JsonResponse(
                {"Tus-Resumable": [f"This server speaks tus {TUS_VERSION}."], "rule": "TUS-VERSION"}, status=412
            )
            response["Tus-Version"] = TUS_VERSION
        else:
            try:
                user = _authenticate(request)
                response = getattr(self, method)(request, user, upload_id)
            except PolicyViolation as exc:
                response = _error(exc)
                if response.status_code == 401:
                    response["WWW-Authenticate"] = "Token"
        response["Tus-Resumable"] = TUS_VERSION
        response["Cache-Control"] = "no-store"
        return response

    def options(self, request, *args, **kwargs):
        response = HttpResponse(status=204)
        response["Tus-Resumable"] = TUS_VERSION
        response["Tus-Version"] = TUS_VERSION
        response["Tus-Extension"] = TUS_EXTENSIONS
        response["Tus-Max-Size"] = str(upload_max_file_bytes())
        response["Tus-Checksum-Algorithm"] = ",".join(CHECKSUM_ALGORITHMS)
        return response

    def post(self, request, user, upload_id):
        if "Upload-Defer-Length" in request.headers:
            raise BadRequest(field="Upload-Defer-Length", message="Declare the length with Upload-Length.")
        size = _whole_number(request, "Upload-Length")
        # creation-with-upload is signalled by the content type; any other body is not upload data.
        body_length = _body_length(request) if request.content_type == OFFSET_CONTENT_TYPE else None
        upload = upload_create(
            owner=user,
            size=size,
            relative_path=_relative_path(_metadata(request)),
            tus_metadata=request.headers.get("Upload-Metadata", ""),
            body=RequestBody(request, body_length) if body_length else None,
            body_length=body_length,
            checksum=_checksum(request),
        )
        response = HttpResponse(status=201, headers=_upload_headers(upload))
        response["Location"] = request.build_absolute_uri(reverse("uploads-tus-upload", args=[upload.upload_id]))
        return response

    def head(self, request, user, upload_id):
        upload = upload_file_get_resumable(owner=user, upload_id=upload_id)
        headers = {**_upload_headers(upload), "Upload-Length": str(upload.size)}
        if upload.tus_metadata:  # a MUST of the creation extension: as the client gave it
            headers["Upload-Metadata"] = upload.tus_metadata
        return HttpResponse(status=200, headers=headers)

    def patch(self, request, user, upload_id):
        if request.content_type != OFFSET_CONTENT_TYPE:
            raise BadRequest(field="Content-Type", message=f"Send data as {OFFSET_CONTENT_TYPE}.", status=415)
        body_length = _body_length(request)
        upload = upload_append(
            owner=user,
            upload_id=upload_id,
            offset=_whole_number(request, "Upload-Offset"),
            body=RequestBody(request, body_length),
            body_length=body_length,
            checksum=_checksum(request),
        )
        return HttpResponse(status=204, headers=_upload_headers(upload))

    def delete(self, request, user, upload_id):
        upload_terminate(owner=user, upload_id=upload_id)
        return HttpResponse(status=204)
