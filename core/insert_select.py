"""`INSERT … SELECT`: copy rows from a queryset into a model's table in one statement, on PostgreSQL and SQLite.

The ORM has no INSERT … SELECT; copying a million file rows through Python
objects holds them all in memory and sends them back one batch at a time.
"""

from collections.abc import Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Expression, Model, QuerySet


def insert_select(model: type[Model], source: QuerySet, *, order_by: Sequence[str] = (), **columns: Expression) -> int:
    """Insert one row into `model` for each row of `source`, each column computed by its expression; return the count.

    `columns` maps `model`'s field names to expressions over `source` (`F("path")`,
    `Value(42)`). Fields left out get NULL, so every NOT NULL field must be given:
    Django's Python-side defaults do not apply. `order_by` names columns whose
    order the new rows' ids follow. Runs in the caller's transaction.
    """
    aliases = {f"insert_{name}": expression for name, expression in columns.items()}
    try:
        select_sql, params = source.order_by().annotate(**aliases).values_list(*aliases).query.sql_with_params()
    except EmptyResultSet:  # e.g. `path__in=[]`: Django knows no row matches and makes no SQL
        return 0
    quote = connection.ops.quote_name
    targets = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    selected = ", ".join(quote(alias) for alias in aliases)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({targets}) SELECT {selected} FROM ({select_sql}) AS source"
    if order_by:
        sql += " ORDER BY " + ", ".join(quote(f"insert_{name}") for name in order_by)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = cursor.rowcount
        if inserted >= ANALYZE_AFTER_ROWS and connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
    return inserted


# After this many rows the planner's estimates of the table are refreshed at once (ANALYZE, a sample of
# ~30,000 rows: 0.1–0.5 s at any size). Autovacuum would take a minute or more, or never where it is off, and
# the move's first query on a million new rows took a bitmap scan and a sort of them all for each batch of 500
# (4 s a batch against 1 ms), planned for the few rows the old statistics promised.
ANALYZE_AFTER_ROWS = 10_000
