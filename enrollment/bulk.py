"""Inserting many rows at once: COPY on PostgreSQL, bulk_create elsewhere. Both store the same
values; imports use this."""

from django.db import connection
from django.db.models import JSONField
from django.utils import timezone

# Tests turn this off to compare the two paths on PostgreSQL.
USE_COPY = True
BATCH_SIZE = 1000


def bulk_insert(model, names, rows):
    """Inserts `rows`, tuples of Python values for the fields `names` (attnames such as
    `person_id`), into `model`'s table. Other fields take their default (`auto_now` and
    `auto_now_add`: now)."""
    meta = model._meta
    named = [meta.get_field(name) for name in names]
    others = [
        field
        for field in meta.concrete_fields
        if field not in named and field is not meta.auto_field
    ]
    now = timezone.now()
    defaults = {
        field.attname: now
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)
        else field.get_default()
        for field in others
    }
    attnames = [field.attname for field in named]
    if not (USE_COPY and connection.vendor == "postgresql"):
        model.objects.bulk_create(
            (model(**defaults, **dict(zip(attnames, row, strict=True))) for row in rows),
            batch_size=BATCH_SIZE,
        )
        return
    constants = [field.get_db_prep_save(defaults[field.attname], connection) for field in others]
    as_json = [i for i, field in enumerate(named) if isinstance(field, JSONField)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in [*named, *others])
    statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            row = list(row)
            for i in as_json:
                row[i] = named[i].get_db_prep_save(row[i], connection)
            copy.write_row(row + constants)
