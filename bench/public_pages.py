"""Benchmark the public pages and API against an archive of 100,000 studies on PostgreSQL.

Not a test: it prints p50/p95 latencies and how each page's p95 compares with a
trivial view (robots.txt), against the targets below. See bench/README.md.

    .venv/bin/python bench/public_pages.py [--studies 100000] [--requests 300]
"""

import argparse
import os
import random
import signal
import statistics
import sys
import time

import requests
from harness import django_setup, gunicorn, portal_env, recreate_database

DB_NAME = "bench_public_pages"
SECRET_KEY = "bench-public-pages-not-a-secret-" + "x" * 32
WARM_UP = 20
# p95 of each page as a multiple of the trivial view's p95 (the lead's targets).
TARGETS = {"accession page": 8, "API detail": 5, "search": 15}
SEARCHES = [
    "zebrafish",
    "mitochondria",
    "HeLa confocal",
    "mouse brain",
    "light-sheet",
    "synapse",
    "nuclear pore",
    "Arabidopsis root",
    "cell division",
    "electron microscopy yeast",
]

ORGANISMS = {
    "Homo sapiens": ["in HeLa cells", "in U2OS cells", "in human iPSC-derived neurons"],
    "Mus musculus": ["in the mouse brain", "in mouse intestinal organoids", "in the mouse kidney"],
    "Danio rerio": ["in zebrafish embryos", "in the zebrafish heart", "in zebrafish larvae"],
    "Arabidopsis thaliana": ["in the Arabidopsis root", "in Arabidopsis leaves", "in the Arabidopsis shoot meristem"],
    "Drosophila melanogaster": ["in Drosophila wing discs", "in Drosophila embryos", "in the Drosophila brain"],
    "Saccharomyces cerevisiae": ["in budding yeast", "in yeast under nitrogen starvation"],
    "Caenorhabditis elegans": ["in C. elegans embryos", "in the C. elegans germline"],
}
METHODS = [
    "confocal microscopy",
    "light-sheet fluorescence microscopy",
    "transmission electron microscopy",
    "serial block-face SEM",
    "widefield fluorescence microscopy",
    "super-resolution (STED)",
]
SUBJECTS = [
    "Mitochondrial dynamics",
    "Nuclear pore complex organisation",
    "Synapse formation",
    "Cell division orientation",
    "Actin cortex architecture",
    "Stress granule assembly",
    "DNA damage foci",
    "Cilia length control",
    "Lipid droplet biogenesis",
    "Focal adhesion turnover",
    "Neural crest migration",
    "Heart regeneration",
    "Root meristem growth",
    "Vesicle trafficking",
    "Golgi fragmentation",
    "Chromatin compaction",
    "Membrane contact sites",
    "Organelle segmentation",
    "Tissue morphogenesis",
    "Autophagosome formation",
]
FIRST = ["Ana", "Ben", "Chen", "Dara", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lea", "Maya", "Nils"]
LAST = ["Okafor", "Zhou", "Lindqvist", "Raman", "Weiss", "Mensah", "Almeida", "Brenner", "Tanaka", "Grant", "Ortega"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=100_000, help="studies to load (default 100000)")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page (default 300)")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server to create the benchmark database on",
    )
    parser.add_argument(
        "--fresh-queries",
        action="store_true",
        help="search for one to three words drawn from the corpus, never the same query twice",
    )
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="reuse the database a previous run loaded (only the migrations run), e.g. to compare code changes",
    )
    args = parser.parse_args()
    if args.keep_data:
        database_url = f"{args.server.rstrip('/')}/{DB_NAME}"
        django_setup(portal_env(database_url, SECRET_KEY))
        from django.db import connection

        accessions = public_accessions(connection)
        connection.close()
    else:
        database_url = recreate_database(args.server, DB_NAME)
        accessions = load(database_url, args.studies)
    # SIGTERM (e.g. a CI timeout) must still stop gunicorn: turn it into an exception that unwinds.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with gunicorn(portal_env(database_url, SECRET_KEY), name="public-pages", ready_path="/robots.txt") as (url, _):
        measure(url, accessions, args.requests, fresh_queries=args.fresh_queries)
    return 0


def load(database_url: str, count: int) -> list[str]:
    """Migrate and bulk-load `count` studies with set-based SQL; return the accessions the public may open.

    Every value is a hash of the study's number (hashtextextended), so a load is the same every time and needs no
    Python loop: one INSERT … SELECT generate_series per table. The table's non-unique indexes are dropped while
    the rows go in and the search vectors are filled, then rebuilt (far faster than updating them row by row).
    """
    django_setup(portal_env(database_url, SECRET_KEY))
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from archive.models import Study
    from archive.services.accession import ACCESSION_SEQUENCE, study_search_vector
    from licensing.models import Licence

    started = time.perf_counter()
    owner = get_user_model().objects.create_user("bench", "bench@example.org")
    licences = dict(Licence.objects.filter(spdx_id__in=["CC0-1.0", "CC-BY-4.0"]).values_list("spdx_id", "pk"))
    phrases = [(places * 3)[:3] for places in ORGANISMS.values()]  # a rectangular array: pad to three places
    parameters = {
        "count": count,
        "prefix": settings.ACCESSION_PREFIX,
        "owner": owner.pk,
        "cc0": licences["CC0-1.0"],
        "ccby": licences["CC-BY-4.0"],
        "organisms": list(ORGANISMS),
        "phrases": phrases,
        "methods": METHODS,
        "subjects": SUBJECTS,
        "keywords": [subject.split()[0].lower() for subject in SUBJECTS],
        "first": FIRST,
        "last": LAST,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'archive_study' "
            "AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(STUDIES_SQL, parameters)
        cursor.execute(VERSIONS_SQL)
        cursor.execute(FILES_SQL)
        cursor.execute(FOLDERS_SQL)
        print(f"Inserted {count:,} studies in {time.perf_counter() - started:.0f} s", flush=True)
        Study.objects.update(search_vector=study_search_vector())
        # Deferred foreign-key checks still pending would forbid CREATE INDEX: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SELECT setval(%s, %s)", [ACCESSION_SEQUENCE, count])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"Loaded and indexed {count:,} studies in {time.perf_counter() - started:.0f} s")
    public = public_accessions(connection)
    connection.close()
    return public


def public_accessions(connection) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT accession FROM archive_study WHERE status = 'released' AND searchable")
        return [accession for (accession,) in cursor.fetchall()]


# A hash of the study number and a salt, as a non-negative integer: the loader's dice.
_DIE = "(hashtextextended(n::text, {salt}) & 2147483647)"
# The status mix: mostly released, a little of everything a visibility filter must skip.
STUDIES_SQL = f"""
WITH dice AS (
    SELECT n, {_DIE.format(salt=1)} %% cardinality(%(organisms)s::text[]) + 1 AS organism,
        {_DIE.format(salt=2)} %% cardinality(%(methods)s::text[]) + 1 AS method,
        {_DIE.format(salt=3)} %% cardinality(%(subjects)s::text[]) + 1 AS subject,
        {_DIE.format(salt=4)} %% 3 + 1 AS place, {_DIE.format(salt=5)} %% 3 + 1 AS place2,
        {_DIE.format(salt=6)} %% 1000 AS roll, {_DIE.format(salt=7)} %% 100 < 5 AS brokered,
        current_date - ({_DIE.format(salt=8)} %% 3650)::int AS released,
        {_DIE.format(salt=9)} %% 5 + 1 AS authors, {_DIE.format(salt=10)} %% 20 AS k1,
        {_DIE.format(salt=11)} %% 19 AS k2, {_DIE.format(salt=12)} %% 18 AS k3
    FROM generate_series(1, %(count)s) AS n
), studies AS (
    SELECT d.*, CASE WHEN roll < 10 THEN 'confidential' WHEN roll < 20 THEN 'obsolete'
            WHEN roll < 25 THEN 'removed' ELSE 'released' END AS status,
        (%(organisms)s::text[])[organism] AS organism_name, (%(methods)s::text[])[method] AS method_name,
        (%(subjects)s::text[])[subject] AS subject_name
    FROM dice AS d
)
INSERT INTO archive_study (
    accession, number, owner_id, status, searchable, release_date, licence_id, source, source_id, created_at,
    status_reason, status_note, title, description, authors_text, organism, imaging_method, keywords_text,
    files_count, total_size
)
SELECT %(prefix)s || n, n, %(owner)s, status, status <> 'released' OR roll >= 30,
    CASE WHEN status = 'confidential' THEN current_date + 90 ELSE released END,
    CASE WHEN brokered THEN %(ccby)s ELSE %(cc0)s END,
    CASE WHEN brokered THEN 'EMPIAR' ELSE '' END, CASE WHEN brokered THEN 'EMPIAR-' || (10000 + n) ELSE '' END,
    released + time '09:00' AT TIME ZONE 'UTC', '', '',
    subject_name || ' ' || (%(phrases)s::text[])[organism][place] || ' by ' || method_name,
    upper(left(method_name, 1)) || substr(method_name, 2) || ' images: ' || lower(subject_name) || ' '
        || (%(phrases)s::text[])[organism][place2] || '. Acquired in ' || extract(year FROM released)
        || ' with matched controls; see the methods section for details.',
    (SELECT string_agg((%(first)s::text[])[{_DIE.format(salt="100 + a")} %% cardinality(%(first)s::text[]) + 1]
            || ' ' || (%(last)s::text[])[{_DIE.format(salt="200 + a")} %% cardinality(%(last)s::text[]) + 1], '; ')
        FROM generate_series(1, authors) AS a),
    organism_name, method_name,
    (%(keywords)s::text[])[k1 + 1] || ', ' || (%(keywords)s::text[])[(k1 + 1 + k2) %% 20 + 1] || ', '
        || (%(keywords)s::text[])[(k1 + 1 + k2 + 1 + k3) %% 20 + 1] || ', ' || lower(split_part(organism_name, ' ', 1)),
    CASE WHEN n %% 4 = 0 THEN 3 ELSE 0 END, CASE WHEN n %% 4 = 0 THEN 3 * 1048576 ELSE 0 END
FROM studies
"""
VERSIONS_SQL = """
INSERT INTO archive_studyversion (study_id, number, created_at, note, metadata)
SELECT id, 1, created_at, 'Initial submission', jsonb_build_object(
    'title', title, 'description', description,
    'authors', (SELECT jsonb_agg(jsonb_build_object('name', name))
        FROM unnest(string_to_array(authors_text, '; ')) AS name),
    'organism', organism, 'imaging_method', imaging_method, 'keywords', to_jsonb(string_to_array(keywords_text, ', ')))
FROM archive_study
"""
FILES_SQL = """
INSERT INTO archive_archivefile (version_id, path, size, sha256, storage_key, status, status_reason, attributes)
SELECT id, 'raw/plate1/A0' || i || '_ch1.tif', 1048576, sha256,
    'sha256/' || substr(sha256, 1, 2) || '/' || substr(sha256, 3, 2) || '/' || sha256, 'active', '', '{}'
FROM (
    SELECT v.id, i + 1 AS i, encode(sha256(convert_to(s.number || '/' || i, 'UTF8')), 'hex') AS sha256
    FROM archive_studyversion AS v JOIN archive_study AS s ON s.id = v.study_id, generate_series(0, 2) AS i
    WHERE s.files_count > 0
) AS files
"""
# The folders the page lists, counted as archive/services/file_tree.py counts them: every version has its root
# (the accession page answers 404 without it), a version with files also the folders above them.
FOLDERS_SQL = """
INSERT INTO archive_studyfolder (version_id, path, parent, files_count, total_size, removed_count, removed_size)
SELECT v.id, folder.path, folder.parent, s.files_count, s.total_size, 0, 0
FROM archive_studyversion AS v JOIN archive_study AS s ON s.id = v.study_id,
    LATERAL (VALUES ('', NULL), ('raw/', ''), ('raw/plate1/', 'raw/')) AS folder (path, parent)
WHERE folder.path = '' OR s.files_count > 0
"""


def fresh_query_stream(rng: random.Random):
    """Yield queries of one to three words drawn from the loaded corpus's vocabulary, none asked twice."""
    text = " ".join([*ORGANISMS, *(p for places in ORGANISMS.values() for p in places), *METHODS, *SUBJECTS])
    vocabulary = sorted({word.strip(".()").lower() for word in [*text.split(), *FIRST, *LAST]} - {"in", "the", "by"})
    asked = set()
    while True:
        query = " ".join(rng.sample(vocabulary, rng.choice((1, 2, 2, 3))))
        if query not in asked:
            asked.add(query)
            yield query


def measure(base_url: str, accessions: list[str], count: int, *, fresh_queries: bool = False) -> None:
    rng = random.Random(7)
    queries = fresh_query_stream(rng) if fresh_queries else iter(lambda: rng.choice(SEARCHES), None)
    pages = {
        "trivial (robots.txt)": lambda: "/robots.txt",
        "search": lambda: f"/search/?q={requests.utils.quote(next(queries))}",
        "accession page": lambda: f"/studies/{rng.choice(accessions)}/",
        "API detail": lambda: f"/api/v1/studies/{rng.choice(accessions)}/",
    }
    session = requests.Session()  # keep-alive, as a browser or API client would
    results = {}
    for name, next_path in pages.items():
        status = session.get(base_url + next_path()).status_code
        if status != 200:
            results[name] = f"not measured: HTTP {status}"
            continue
        for _ in range(WARM_UP):
            session.get(base_url + next_path())
        timings, failures = [], 0
        for _ in range(count):
            path = next_path()
            started = time.perf_counter()
            response = session.get(base_url + path)
            timings.append((time.perf_counter() - started) * 1000)
            failures += response.status_code != 200
        cuts = statistics.quantiles(timings, n=100, method="inclusive")
        results[name] = (cuts[49], cuts[94], failures)

    trivial = results["trivial (robots.txt)"]
    print(f"\n{'page':<22}{'p50 ms':>9}{'p95 ms':>9}{'p95 ×':>8}{'target':>8}")
    for name, result in results.items():
        if isinstance(result, str):
            print(f"{name:<22}{result}")
            continue
        p50, p95, failures = result
        ratio = f"{p95 / trivial[1]:.1f}" if not isinstance(trivial, str) else "-"
        target = TARGETS.get(name)
        verdict = ""
        if target and ratio != "-":
            verdict = "  ok" if float(ratio) <= target else "  OVER TARGET"
        note = f"  ({failures} non-200 answers)" if failures else ""
        print(f"{name:<22}{p50:>9.1f}{p95:>9.1f}{ratio:>8}{(f'≤{target}' if target else ''):>8}{verdict}{note}")


if __name__ == "__main__":
    sys.exit(main())
