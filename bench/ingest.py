"""Benchmark ingest through the tus endpoint against `cp` + `openssl dgst -sha256` on the same disk.

Not a test: it prints throughputs, their ratio and the serving worker's memory
growth against the targets of issue #4 (ratio ≥ 0.8, growth < 100 MB). See
bench/README.md.

    .venv/bin/python bench/ingest.py [--size-mib 2048] [--runs 3] [--sqlite] [--dir /tmp]
"""

import argparse
import base64
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from harness import (
    children_cpu,
    django_setup,
    gunicorn,
    portal_env,
    recreate_database,
    temp_folder,
    write_random_file,
)

DB_NAME = "bench_ingest"
SECRET_KEY = "bench-ingest-not-a-secret-" + "x" * 40
TUS_PATH = "/api/v1/uploads/tus/"
FILES_PATH = "/api/v1/uploads/files/"
MIB = 1024 * 1024
TARGET_RATIO = 0.8
TARGET_GROWTH_MB = 100


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=int, default=2048, help="size of the test file (default 2048 = 2 GiB)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement; the best counts (default 3)")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite in the temp folder instead of PostgreSQL")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL; database bench_ingest is dropped and recreated",
    )
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="parent of the temp folder (its disk is measured)")
    args = parser.parse_args()
    # SIGTERM (e.g. a CI timeout) must still stop gunicorn and delete the big files: unwind as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with temp_folder(args.dir, prefix="bench-ingest-") as folder:
        var_dir = folder / "var"
        upload_root = var_dir / "uploads"
        upload_root.mkdir(parents=True)
        source = folder / "source.bin"
        print(f"Writing {args.size_mib} MiB of random bytes to {source} ...", flush=True)
        local_sha256 = write_random_file(source, args.size_mib * MIB)
        if os.stat(folder).st_dev != os.stat(upload_root).st_dev:
            raise SystemExit("The baseline copy and the upload root must be on the same disk.")
        disk = subprocess.run(["df", "--output=source,fstype", str(folder)], capture_output=True, text=True)
        print(f"Disk: {disk.stdout.splitlines()[-1].split()} · CPUs: {os.cpu_count()}")

        if args.sqlite:
            database_url = f"sqlite:///{var_dir / 'db.sqlite3'}"
        else:
            database_url = recreate_database(args.postgres, DB_NAME)
        size = args.size_mib * MIB
        env = portal_env(
            database_url,
            SECRET_KEY,
            VAR_DIR=str(var_dir),
            UPLOAD_ROOT=str(upload_root),
            UPLOAD_MAX_FILE_BYTES=str(size),
            UPLOAD_QUOTA_BYTES=str(10 * size),
        )
        token = prepare(env)
        with gunicorn(env, name="ingest", ready_path=TUS_PATH, options=("--timeout", "600")) as (url, master):
            warm_up(url, token, folder)
            baseline_runs, portal_runs = [], []
            # Interleaved, so a slower phase of the machine does not favour one side.
            for run in range(1, args.runs + 1):
                baseline_runs.append(measure_baseline(source, folder / "copy.bin", local_sha256))
                seconds, cpu, other = baseline_runs[-1]
                print(f"  run {run}: baseline {seconds:.2f} s (CPU {cpu:.2f} s; rest of the machine {other:.2f} s)")
                portal_runs.append(measure_portal(url, token, source, local_sha256, master, run))
                seconds, cpu, other, growth, pid = portal_runs[-1]
                print(
                    f"  run {run}: portal   {seconds:.2f} s (CPU {cpu:.2f} s; rest of the machine {other:.2f} s),"
                    f" worker {pid} grew {growth:.1f} MB",
                    flush=True,
                )
        report(args, baseline_runs, portal_runs)
    return 0


def prepare(env: dict[str, str]) -> str:
    """Migrate, create the submitter and return their API token."""
    django_setup(env)
    from django.contrib.auth import get_user_model
    from django.db import connections
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.create_user(username="bench-submitter", email="bench@example.org")
    key = Token.objects.create(user=user).key
    connections.close_all()
    return key


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}", "Tus-Resumable": "1.0.0"}


def create_upload(url: str, token: str, name: str, size: int) -> str:
    response = requests.post(
        url + TUS_PATH,
        headers={
            **_headers(token),
            "Upload-Length": str(size),
            "Upload-Metadata": "filename " + base64.b64encode(name.encode()).decode(),
        },
        timeout=30,
    )
    if response.status_code != 201:
        raise SystemExit(f"tus creation answered {response.status_code}: {response.text}")
    return response.headers["Location"]


def patch_with_curl(location: str, token: str, path: Path) -> None:
    """PATCH the whole file, streamed from disk by curl.

    `-T <file>` would stream but appends the file name to a URL ending in "/", and
    `--data-binary @<file>` may read the file into memory first; so the file is
    curl's stdin, with its length declared and curl's chunked encoding turned off.
    """
    headers = {
        **_headers(token),
        "Upload-Offset": "0",
        "Content-Type": "application/offset+octet-stream",
        "Content-Length": str(path.stat().st_size),
        "Transfer-Encoding": "",
        "Expect": "",  # no 100-continue round trip
    }
    command = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PATCH", "-T", "-", location]
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}:{' ' + value if value else ''}"]
    with open(path, "rb") as stdin:
        status = subprocess.run(command, stdin=stdin, capture_output=True, text=True, check=True).stdout
    if status != "204":
        raise SystemExit(f"tus PATCH answered {status}")


def warm_up(url: str, token: str, folder: Path) -> None:
    """A few small uploads, so both workers have imported everything before memory is measured."""
    small = folder / "warm-up.bin"
    small.write_bytes(os.urandom(4 * MIB))
    for number in range(6):
        patch_with_curl(create_upload(url, token, f"warm-up-{number}.bin", 4 * MIB), token, small)
    small.unlink()


def _recycle_page_cache(source: Path, scratch: Path) -> None:
    """Write and delete a file as large as the test file, untimed, just before a measurement.

    On a virtual machine, memory the guest has not touched for a few seconds may
    be handed back to the host and is several times slower to write the first
    time; whoever writes 2 GiB into the page cache next pays for it. Freeing that
    much just before each measurement gives both sides recently used pages (the
    baseline's best case: it writes through the page cache, the portal mostly not).
    """
    subprocess.run(["sync"], check=True)
    subprocess.run(["cp", "--reflink=never", str(source), str(scratch)], check=True)
    scratch.unlink()


def measure_baseline(source: Path, copy: Path, local_sha256: str) -> tuple[float, float, float]:
    """Seconds for `cp` to the same disk followed by `openssl dgst -sha256` of the copy,
    their CPU seconds and the rest of the machine's."""
    _recycle_page_cache(source, copy)
    cpu, busy = children_cpu(), _machine_busy()
    started = time.perf_counter()
    subprocess.run(["cp", "--reflink=never", str(source), str(copy)], check=True)
    output = subprocess.run(["openssl", "dgst", "-sha256", "-r", str(copy)], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    cpu, busy = children_cpu() - cpu, _machine_busy() - busy
    if output.stdout.split()[0] != local_sha256:
        raise SystemExit("openssl's SHA-256 of the copy differs from the file's")
    copy.unlink()
    return seconds, cpu, busy - cpu


def measure_portal(
    url: str, token: str, source: Path, local_sha256: str, master: int, run: int
) -> tuple[float, float, float, float, int]:
    """Seconds for tus creation + one PATCH of the whole file, CPU seconds (worker and curl),
    the rest of the machine's, the serving worker's peak RSS growth (MB) and its pid."""
    name = f"bench-{run}.bin"
    size = source.stat().st_size
    _recycle_page_cache(source, source.with_name("scratch.bin"))
    workers = _workers(master)
    before = {pid: (_status_kib(pid, "VmRSS"), _cpu_ticks(pid)) for pid in workers}
    for pid in workers:
        _reset_peak_rss(pid)
    curl_cpu, busy = children_cpu(), _machine_busy()
    started = time.perf_counter()
    patch_with_curl(create_upload(url, token, name, size), token, source)
    seconds = time.perf_counter() - started
    curl_cpu, busy = children_cpu() - curl_cpu, _machine_busy() - busy
    # The serving worker is the one that spent the CPU time.
    pid = max(workers, key=lambda pid: _cpu_ticks(pid) - before[pid][1])
    growth_mb = (_status_kib(pid, "VmHWM") - before[pid][0]) * 1024 / 1e6
    cpu = curl_cpu + (_cpu_ticks(pid) - before[pid][1]) / os.sysconf("SC_CLK_TCK")

    listing = requests.get(url + FILES_PATH, headers=_headers(token), params={"ordering": "path"}, timeout=30).json()
    files = listing["results"] if isinstance(listing, dict) else listing
    stored = next(item for item in files if item["path"] == name)
    if stored["state"] != "complete" or stored["size"] != size or stored["sha256"] != local_sha256:
        raise SystemExit(f"The server's file differs from the local one: {stored}")
    # Deleted untimed, so the next run does not pay for unlinking this one.
    requests.delete(f"{url}{FILES_PATH}{stored['id']}/", headers=_headers(token), timeout=60).raise_for_status()
    return seconds, cpu, busy - cpu, growth_mb, pid


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent busy so far (all CPUs, from /proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = fields[3], fields[4]
    return (sum(fields[:8]) - idle - iowait) / os.sysconf("SC_CLK_TCK")


def _workers(master: int) -> list[int]:
    workers = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    workers.append(int(entry.name))
    return workers


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise SystemExit(f"/proc/{pid}/status has no {field}")


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _reset_peak_rss(pid: int) -> None:
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0); without it the
    # growth is measured from the warm-up's peak, which can only overstate it.
    with contextlib.suppress(OSError), open(f"/proc/{pid}/clear_refs", "w") as handle:
        handle.write("5")


def report(args, baseline_runs: list[tuple], portal_runs: list[tuple]) -> None:
    size_mb = args.size_mib * MIB / 1e6
    baseline, baseline_cpu, _ = min(baseline_runs)
    portal_seconds, portal_cpu, _, _, _ = min(portal_runs)
    growth = max(run[3] for run in portal_runs)
    ratio = baseline / portal_seconds  # throughputs of the same number of bytes
    database = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"\n{args.size_mib} MiB file, best of {args.runs} runs each, {database}, gunicorn -w 2 (sync workers)")
    print(f"{'':<36}{'seconds':>9}{'MB/s':>8}{'CPU s':>8}")
    for name, seconds, cpu in (
        ("baseline: cp + openssl dgst -sha256", baseline, baseline_cpu),
        ("portal: tus POST + PATCH (curl)", portal_seconds, portal_cpu),
    ):
        print(f"{name:<36}{seconds:>9.2f}{size_mb / seconds:>8.0f}{cpu:>8.2f}")
    print("(CPU s: user + system time of cp and openssl; of the serving worker and curl. The rest of the")
    print(" machine's CPU time in each run, above, shows how busy it was: the portal needs two CPUs to")
    print(" overlap receiving, writing and hashing, the baseline one at a time.)")
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    print(f"throughput ratio portal/baseline: {ratio:.2f} (target ≥ {TARGET_RATIO}) {verdict}")
    verdict = "PASS" if growth < TARGET_GROWTH_MB else "FAIL"
    print(f"serving worker peak RSS growth (worst run): {growth:.1f} MB (target < {TARGET_GROWTH_MB} MB) {verdict}")


if __name__ == "__main__":
    sys.exit(main())
