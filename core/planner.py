"""Steer PostgreSQL's planner for statements whose row estimates are known to mislead it."""

import contextlib

from django.db import connection, transaction


@contextlib.contextmanager
def scans_off(*settings: str):
    """Plan the statements inside with the named planner settings ("enable_seqscan", …) off.

    SET LOCAL lasts to the end of the transaction, hence the savepoint and the reset.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        for name in settings:
            cursor.execute(f"SET LOCAL {name} = off")
        yield
        for name in settings:
            cursor.execute(f"SET LOCAL {name} = on")
