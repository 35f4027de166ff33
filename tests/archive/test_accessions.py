"""Accession numbers: unique, increasing and never reused, also under concurrency."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from archive.services.accession import accession_allocate


def _allocate_in_own_connection(_):
    try:
        return accession_allocate()
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_p_permanent_100_concurrent_accession_allocations_are_distinct():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL (CI); SQLite serialises writers")
    with ThreadPoolExecutor(max_workers=20) as pool:
        allocated = list(pool.map(_allocate_in_own_connection, range(100)))
    numbers = [number for number, _ in allocated]
    assert len(set(numbers)) == 100
    assert len({accession for _, accession in allocated}) == 100
    assert all(accession == f"S-BIAD{number}" for number, accession in allocated)


@pytest.mark.django_db
def test_p_permanent_accession_numbers_are_never_reused(settings):
    settings.ACCESSION_PREFIX = "S-TEST"
    first, accession = accession_allocate()
    second, _ = accession_allocate()
    assert accession == f"S-TEST{first}"
    assert second > first
