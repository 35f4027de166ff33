"""The portal under gunicorn with two worker processes, on the test database, and a way to make sure two
requests are served by different workers.

A sync worker that has accepted a request stays with it until it has read the whole request; so a request
held back by its last byte keeps one worker busy, and the next request can only reach the other one.
gunicorn's access log names the worker (pid) of every request, which the tests check.
"""

import contextlib
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.db import connection

from bench.harness import gunicorn, portal_env

ACCESS_LOG_FORMAT = "%(p)s %(m)s %(U)s %(s)s"  # %(p)s is the worker, as <pid>
# Long enough for an idle worker to accept a connection on a busy machine.
ACCEPT_SECONDS = 0.5


def _test_database_url() -> str:
    """The URL of the test database this process uses, for the server's processes to open."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


class HeldRequest:
    """A raw HTTP/1.1 request, sent but for its last byte by `start`, completed and answered by `finish`."""

    def __init__(self, url: str, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes = b""):
        host = urlsplit(url)
        self.address = (host.hostname, host.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host.netloc}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        self.raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        self.sock = None

    def start(self) -> "HeldRequest":
        self.sock = socket.create_connection(self.address, timeout=60)
        self.sock.sendall(self.raw[:-1])
        return self

    def finish(self) -> Answer:
        self.sock.sendall(self.raw[-1:])
        chunks = []
        while chunk := self.sock.recv(65536):
            chunks.append(chunk)
        self.sock.close()
        head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return Answer(int(status_line.split()[1]), headers, body.decode("utf-8", "replace"))


@dataclass
class ServedPortal:
    url: str
    access_log: Path

    def request(self, method: str, path: str, **options) -> HeldRequest:
        return HeldRequest(self.url, method, path, **options)

    def form_post(self, path: str, fields: dict[str, str], *, csrf_token: str) -> HeldRequest:
        body = urlencode({"csrfmiddlewaretoken": csrf_token, **fields}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_token}"}
        return self.request("POST", path, headers=headers, body=body)

    def csrf_token(self) -> str:
        """A CSRF token and cookie value, from a page that sets it."""
        answer = self.request("GET", "/accounts/login/").start().finish()
        cookie = answer.headers["set-cookie"]
        return cookie.split("csrftoken=", 1)[1].split(";", 1)[0]

    def on_two_workers(self, first: HeldRequest, second: HeldRequest) -> tuple[Answer, Answer]:
        """Answer `first` and `second`, each from a different worker."""
        first.start()
        time.sleep(ACCEPT_SECONDS)  # one worker has accepted `first` and waits for its last byte
        second_answer = second.start().finish()  # so only the other worker could take this one
        return first.finish(), second_answer

    def workers_of(self, method: str, path: str) -> list[int]:
        """The pid of the worker that served each `method path` request so far, in the order they finished."""
        lines = (line.split() for line in self.access_log.read_text().splitlines())
        return [int(pid.strip("<>")) for pid, m, p, _status in lines if (m, p) == (method, path)]


@contextlib.contextmanager
def served_portal(var_dir: Path, secret_key: str):
    """Run the portal under gunicorn with two workers on the test database (its data must be committed)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    access_log = var_dir / "access.log"
    env = portal_env(_test_database_url(), secret_key, VAR_DIR=str(var_dir))
    options = ("--access-logfile", str(access_log), "--access-logformat", ACCESS_LOG_FORMAT)
    name = f"two-workers-{var_dir.parent.name}"  # the test's own tmp folder: one log per test
    with gunicorn(env, name=name, ready_path="/robots.txt", options=options) as (url, _pid):
        yield ServedPortal(url, access_log)
