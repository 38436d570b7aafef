"""Figures cached while nothing they read has changed. The ledger and the records of what
outside sources said are append-only, so a figure is keyed on each table's row count and last
id: a row appended anywhere gives a new key, and a cached figure is never stale.

Within `read_once` (a page read: `pbipemda.middleware.StampsMiddleware` around every GET), each
stamp is read once, however many figures of the page key on it."""

import contextlib
import contextvars
from collections.abc import Iterator

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet

from enrollment.models import LedgerEntry
from people.models import HouseholdChange

CACHE_SECONDS = 24 * 60 * 60
# The stamps read so far by the page being read (by their SQL), when it is read once.
_read: contextvars.ContextVar[dict | None] = contextvars.ContextVar("stamps_read", default=None)


@contextlib.contextmanager
def read_once() -> Iterator[None]:
    """Each stamp asked within it is read once and then remembered, for a read that writes
    nothing the stamps count: the dashboard keys four figures on the ledger's count."""
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


def stamp(*querysets: QuerySet) -> str:
    """What a cached figure reading `querysets` (append-only tables) is keyed on: each one's
    row count and last id. The count also catches a row committed after a later one."""
    memo = _read.get()
    if memo is None:
        return _stamp(querysets)
    key = tuple(str(queryset.query) for queryset in querysets)
    if key not in memo:
        memo[key] = _stamp(querysets)
    return memo[key]


def _stamp(querysets) -> str:
    result = []
    for queryset in querysets:
        found = queryset.aggregate(n=Count("pk"), last=Max("pk"))
        result += [found["n"], found["last"] or 0]
    return "-".join(str(value) for value in result)


def ledger_stamp() -> str:
    """The ledger and the household moves (which move people's entries to their village now)."""
    return stamp(*_ledger())


def ledger_since(before: str, now: str, limit: int) -> list[QuerySet] | None:
    """The entries and household moves appended between two ledger stamps (`since`)."""
    return since(_ledger(), before, now, limit)


def ledger_upto(stamped: str) -> QuerySet[LedgerEntry]:
    """The entries a ledger stamp saw, by id: a sum of them kept with the stamp holds no later
    entry, so the entries `ledger_since` gives next are each added once."""
    (_, last), _ = _pairs(stamped)
    return LedgerEntry.objects.filter(pk__lte=last)


def _ledger() -> list[QuerySet]:
    return [LedgerEntry.objects.all(), HouseholdChange.objects.filter(field="village")]


def cached(key: str, compute):
    """`compute()`, kept in Django's cache under `key` (which names everything it reads)."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def since(querysets: list[QuerySet], before: str, now: str, limit: int) -> list[QuerySet] | None:
    """The rows each of `querysets` gained between two of their stamps (`stamp(*querysets)`
    read earlier and now), or None when they cannot be told apart: a row committed below the
    last one seen (the counts disagree), or more than `limit` rows in one of them."""
    pairs = [_pairs(before), _pairs(now)]
    added = []
    for queryset, (count, last), (count_now, last_now) in zip(querysets, *pairs, strict=True):
        rows = queryset.filter(pk__gt=last, pk__lte=last_now)
        if count_now - count > limit or rows.count() != count_now - count:
            return None
        added.append(rows)
    return added


def _pairs(stamped: str) -> list[tuple[int, int]]:
    values = [int(value) for value in stamped.split("-")]
    return list(zip(values[::2], values[1::2], strict=True))


def carried(key: str, marks, read, update):
    """A value costly to read whole and cheap to bring up to date, kept under `key` with the
    `marks` (stamps) it was read at: the kept value when they are the same; else the kept one
    brought up to date by `update(value, earlier_marks)`, which returns None when it cannot;
    else `read()`. What is returned is kept again under `key` with `marks`."""
    kept = cache.get(key)
    if kept is not None and kept[1] == marks:
        return kept[0]
    value = None if kept is None else update(*kept)
    if value is None:
        value = read()
    cache.set(key, (value, marks), CACHE_SECONDS)
    return value
