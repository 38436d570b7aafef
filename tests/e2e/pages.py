"""What the browser tests do on pages, and the cleanup their live-server databases need."""

from importlib import import_module

from django.db import connection

from enrollment.models import LedgerEntry


def empty_the_ledger():
    """SQLite's flush deletes row by row, which the ledger's append-only trigger refuses: the
    ledger is emptied with the trigger lifted for that moment (on PostgreSQL tests/conftest.py
    lifts the TRUNCATE triggers)."""
    if connection.vendor != "sqlite":
        return
    triggers = import_module("enrollment.migrations.0002_append_only_triggers")
    with connection.cursor() as cursor:
        relations = LedgerEntry._meta.get_fields(include_hidden=True)
        for relation in (field for field in relations if field.auto_created and field.is_relation):
            if relation.related_model is not LedgerEntry:
                table, column = relation.related_model._meta.db_table, relation.field.column
                if relation.field.null:
                    cursor.execute(f"UPDATE {table} SET {column} = NULL")
                else:  # the participation projection: rows that only mirror the ledger
                    cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DROP TRIGGER IF EXISTS ledger_no_delete")
        cursor.execute(f"DELETE FROM {triggers.TABLE}")
        for statement in triggers.SQLITE:
            if "ledger_no_delete" in statement:
                cursor.execute(statement)


def fill_sktm_form(page, data):
    for name in ("applicant_name", "nik", "kk_number", "dusun", "rt", "rw", "occupation"):
        page.fill(f"input[name={name}]", str(data[name]))
    page.select_option("select[name=sex]", data["sex"])
    page.fill("input[name=phone]", data["phone"])
    page.fill("input[name=dependants_count]", str(data["dependants_count"]))
    for name in ("ownership", "wall", "floor", "lighting"):
        page.check(f"input[name={name}][value='{data[name]}']")
    page.fill("input[name=monthly_income]", str(data["monthly_income"]))
