"""Months as the rules count them (a participant's month, a letter's validity, an instruction's
reporting period) and dates as Indonesian letters write them. In regions, the lowest app, beside
the settings dated by year and period (UMK, premium), so every app may use them."""

import calendar
import datetime

MONTH_NAMES = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def month_start(date):
    return date.replace(day=1)


def add_months(date, months):
    """The same day `months` later (earlier when negative), or the month's last day when it
    is shorter."""
    year, month_index = divmod(date.month - 1 + months, 12)
    year += date.year
    day = min(date.day, calendar.monthrange(year, month_index + 1)[1])
    return datetime.date(year, month_index + 1, day)


def long_date(date):
    """A date as Indonesian letters write it: 23 November 2026."""
    return f"{date.day} {MONTH_NAMES[date.month - 1]} {date.year}"
