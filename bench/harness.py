"""What the benchmarks share: a fresh PostgreSQL database, Django set up in-process, the portal under gunicorn,
a temp folder of random files and the CPU time of child processes."""

import contextlib
import hashlib
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
WRITE_CHUNK = 8 * 1024 * 1024


def recreate_database(server: str, name: str) -> str:
    """Drop and create database `name` on `server`; return its URL."""
    with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    print(f"Created database {name}")
    return f"{server.rstrip('/')}/{name}"


def portal_env(database_url: str, secret_key: str, **extra: str) -> dict[str, str]:
    """Return this process's environment plus the settings of a portal served on 127.0.0.1 over plain HTTP."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **extra,
    }


def django_setup(env: dict[str, str]) -> None:
    """Put `env` in this process's environment, set Django up with it and migrate the database."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@contextlib.contextmanager
def temp_folder(parent: str, *, prefix: str) -> Iterator[Path]:
    """Yield a new folder under `parent`; remove it on exit, whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        print(f"Removed {folder}")


def write_random_file(path: Path, size: int) -> str:
    """Write `size` random bytes to `path`; return their SHA-256."""
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        for start in range(0, size, WRITE_CHUNK):
            chunk = os.urandom(min(WRITE_CHUNK, size - start))
            handle.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def stored_random_file(archive_root: Path, size: int) -> tuple[Path, str]:
    """Write `size` random bytes straight into local archive storage under their content key; return path and SHA-256.

    Needs Django set up (the key comes from `archive.storage.content_key`).
    """
    from archive.storage import content_key

    scratch = Path(tempfile.mkstemp(dir=archive_root, prefix="scratch-")[1])
    sha256 = write_random_file(scratch, size)
    stored = archive_root / content_key(sha256)
    stored.parent.mkdir(parents=True, exist_ok=True)
    scratch.rename(stored)
    return stored, sha256


def children_cpu() -> float:
    """CPU seconds (user + system) spent so far by this process's waited-for children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], *, name: str, ready_path: str, options: tuple[str, ...] = ()
) -> Iterator[tuple[str, int]]:
    """Run the portal under gunicorn as deployed (config/gunicorn.py), with 2 workers, on a free port; yield its
    URL and master pid.

    The server is stopped on exit, whatever happens; its log goes to a file named after `name`.
    """
    url = f"http://127.0.0.1:{free_port()}"
    # One log per process: runs on the same machine at once (CI beside a benchmark) must not share one.
    log_path = Path(tempfile.gettempdir()) / f"bench-{name}-{os.getpid()}-gunicorn.log"
    command = [str(ROOT / ".venv/bin/gunicorn"), "-c", "config/gunicorn.py", "config.wsgi", "-w", "2", *options]
    command += ["-b", url.removeprefix("http://")]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(url + ready_path, process, log_path)
            print(f"Portal under gunicorn at {url} (log: {log_path})")
            yield url, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# Two workers importing the portal on a machine loaded by other jobs were seen to need more than 30 s.
START_SECONDS = 120


def _wait_until_up(ready_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log_path}")
        try:
            requests.options(ready_url, timeout=2)
            return
        # A worker importing the portal on a busy machine may accept the connection and answer late.
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {START_SECONDS} s; see {log_path}")
