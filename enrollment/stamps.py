"""Figures cached while nothing they read has changed. The ledger and the records of what
outside sources said are append-only, so a figure is keyed on each table's row count and last
id: a row appended anywhere gives a new key, and a cached figure is never stale."""

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet

from enrollment.models import LedgerEntry
from people.models import HouseholdChange

CACHE_SECONDS = 24 * 60 * 60


def stamp(*querysets: QuerySet) -> str:
    """What a cached figure reading `querysets` (append-only tables) is keyed on: each one's
    row count and last id. The count also catches a row committed after a later one."""
    result = []
    for queryset in querysets:
        found = queryset.aggregate(n=Count("pk"), last=Max("pk"))
        result += [found["n"], found["last"] or 0]
    return "-".join(str(value) for value in result)


def ledger_stamp() -> str:
    """The ledger and the household moves (which move people's entries to their village now)."""
    return stamp(LedgerEntry.objects.all(), HouseholdChange.objects.filter(field="village"))


def cached(key: str, compute):
    """`compute()`, kept in Django's cache under `key` (which names everything it reads)."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value
