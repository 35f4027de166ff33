"""`manage.py qcluster` stops within seconds of a SIGTERM, however the signal is sent (docs/design.md §4).

A real cluster with the demo's settings (`make demo`: DEBUG, SQLite in a var folder, ORM broker).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

# django-q2 logs "Q Cluster <name> [<queue>] running." once its sentinel guards the workers.
READY = "running."
STOP_SECONDS = 10


def _demo_env(var_dir) -> dict[str, str]:
    """The Makefile's DEMO_ENV on a fresh var folder: SQLite, local folders, the ORM broker."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "ARCHIVE_ROOT", "UPLOAD_ROOT")}
    env.update(DEBUG="1", ACCOUNT_EMAIL_VERIFICATION="optional", Q_SYNC="0", VAR_DIR=str(var_dir))
    return env


@pytest.fixture(scope="module")
def demo_var(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("qcluster-var")
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(migrate, cwd=settings.BASE_DIR, env=_demo_env(var_dir), check=True, timeout=300)
    return var_dir


@contextlib.contextmanager
def running_cluster(var_dir):
    """Start `manage.py qcluster` as the leader of its own process group; yield it once it runs."""
    log_path = var_dir / "qcluster.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=settings.BASE_DIR,
            env=_demo_env(var_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    process.log_path = log_path
    try:
        deadline = time.monotonic() + 60
        while READY not in log_path.read_text():
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "qcluster did not start:\n" + log_path.read_text()
            time.sleep(0.1)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _stopped_within(process, seconds: float) -> bool:
    """Whether the cluster and every process it started exit within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None and not _group_alive(process.pid):
            return True
        time.sleep(0.1)
    return False


def test_qcluster_stops_on_sigterm_to_its_whole_process_group(demo_var):
    """What .ci/run's `kill -- -PGID`, supervisor's stopasgroup and service managers send: every process gets it."""
    with running_cluster(demo_var) as cluster:
        os.killpg(cluster.pid, signal.SIGTERM)
        assert _stopped_within(cluster, STOP_SECONDS), cluster.log_path.read_text()


def test_qcluster_stops_gracefully_on_sigterm_to_its_parent_even_when_sent_twice(demo_var):
    """The supported way (README): signal the qcluster process; the Makefile's trap may signal it twice."""
    with running_cluster(demo_var) as cluster:
        cluster.send_signal(signal.SIGTERM)
        time.sleep(0.05)
        cluster.send_signal(signal.SIGTERM)
        assert _stopped_within(cluster, STOP_SECONDS), cluster.log_path.read_text()
    assert "has stopped." in cluster.log_path.read_text()  # django-q2's own stop: workers finished their tasks
