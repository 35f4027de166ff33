"""Benchmark OAI-PMH harvesting (/oai) of an archive of bulk-loaded studies on PostgreSQL.

Not a test: it harvests the whole archive with ListIdentifiers and ListRecords (oai_dc) following the resumption
tokens, prints records per second, then times the first, middle and last page of each list again (p50/p95) against
a trivial view (robots.txt) and prints the serving workers' memory before and after. See bench/README.md.

    .venv/bin/python bench/oai.py [--studies 10000] [--requests 30] [--keep-data]
"""

import argparse
import os
import signal
import statistics
import sys
import time
from pathlib import Path

import requests
from harness import django_setup, gunicorn, portal_env, recreate_database
from lxml import etree
from public_pages import load

DB_NAME = "bench_oai"
SECRET_KEY = "bench-oai-not-a-secret-" + "x" * 40
OAI = "{http://www.openarchives.org/OAI/2.0/}"
WARM_UP = 5
LISTS = {
    "ListIdentifiers": {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
    "ListRecords oai_dc": {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
}
# The timed pages' p95 as a multiple of the trivial view's p95 is printed; the flatness target is the issue's.
FLAT_WITHIN = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=10_000, help="studies to load (default 10000)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server to create the benchmark database on",
    )
    parser.add_argument("--keep-data", action="store_true", help="reuse the database a previous run loaded")
    args = parser.parse_args()
    if args.keep_data:
        database_url = f"{args.server.rstrip('/')}/{DB_NAME}"
        django_setup(portal_env(database_url, SECRET_KEY))
    else:
        database_url = recreate_database(args.server, DB_NAME)
        load(database_url, args.studies)
        _date_records()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with gunicorn(portal_env(database_url, SECRET_KEY), name="oai", ready_path="/robots.txt") as (url, pid):
        measure(url, pid, args.requests)
    return 0


def _date_records() -> None:
    """Give the bulk-loaded studies what the services would have: a release time and a datestamp."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_study SET released_at = CASE WHEN status <> 'confidential' THEN created_at END, "
            "record_changed_at = created_at"
        )
        cursor.execute("VACUUM ANALYZE archive_study")
    connection.close()


def _workers_rss_mib(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children), in MiB."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
        sizes.append(int(kib) / 1024)
    return sizes


def _next_token(content: bytes) -> str:
    root = etree.fromstring(content)
    if (error := root.find(f"{OAI}error")) is not None:
        raise SystemExit(f"OAI error {error.get('code')}: {error.text}")
    token = root.find(f".//{OAI}resumptionToken")
    return (token.text or "") if token is not None else ""


def harvest(session: requests.Session, base_url: str, arguments: dict) -> tuple[int, float, list[dict], list[float]]:
    """Follow a list to its end; return records, seconds, each page's arguments and each page's seconds."""
    pages, seconds, records = [], [], 0
    started = time.perf_counter()
    while True:
        page_started = time.perf_counter()
        response = session.get(base_url + "/oai", params=arguments)
        seconds.append(time.perf_counter() - page_started)
        response.raise_for_status()
        records += response.content.count(b"<header")
        pages.append(arguments)
        token = _next_token(response.content)
        if not token:
            return records, time.perf_counter() - started, pages, seconds
        arguments = {"verb": arguments["verb"], "resumptionToken": token}


def _timed(session: requests.Session, url: str, params: dict | None, count: int) -> tuple[float, float]:
    for _ in range(WARM_UP):
        session.get(url, params=params)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        session.get(url, params=params).raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return cuts[49], cuts[94]


def measure(base_url: str, master_pid: int, count: int) -> None:
    session = requests.Session()
    session.get(base_url + "/oai", params={"verb": "Identify"}).raise_for_status()
    memory_before = _workers_rss_mib(master_pid)
    timed = {"trivial (robots.txt)": (base_url + "/robots.txt", None)}
    print(f"\n{'harvest':<22}{'records':>10}{'pages':>8}{'seconds':>9}{'records/s':>11}{'slowest page s':>16}")
    for name, arguments in LISTS.items():
        records, seconds, pages, page_seconds = harvest(session, base_url, arguments)
        rate = records / seconds
        print(f"{name:<22}{records:>10,}{len(pages):>8,}{seconds:>9.1f}{rate:>11,.0f}{max(page_seconds):>16.3f}")
        for where, page in (("first", pages[0]), ("middle", pages[len(pages) // 2]), ("last", pages[-1])):
            timed[f"{name} {where}"] = (base_url + "/oai", page)
    memory_after = _workers_rss_mib(master_pid)
    results = {name: _timed(session, url, params, count) for name, (url, params) in timed.items()}
    trivial_p95 = results["trivial (robots.txt)"][1]
    print(f"\n{'page':<30}{'p50 ms':>9}{'p95 ms':>9}{'p95 ×':>8}")
    for name, (p50, p95) in results.items():
        print(f"{name:<30}{p50:>9.1f}{p95:>9.1f}{p95 / trivial_p95:>8.1f}")
    for name in LISTS:
        p50s = [results[f"{name} {where}"][0] for where in ("first", "middle", "last")]
        spread = max(p50s) / min(p50s)
        verdict = "flat" if spread <= FLAT_WITHIN else "NOT flat"
        print(f"{name}: slowest ÷ fastest of first/middle/last p50 = {spread:.2f} ({verdict}, target ≤ {FLAT_WITHIN})")
    print(
        "Workers' memory (MiB) before the harvests: "
        + ", ".join(f"{m:.0f}" for m in memory_before)
        + "; after: "
        + ", ".join(f"{m:.0f}" for m in memory_after)
    )


if __name__ == "__main__":
    sys.exit(main())
