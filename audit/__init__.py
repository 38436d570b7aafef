"""Who opened which personal data: every view of a person's full record and every export.

    import audit
    audit.record(request, audit.VIEW, f"Penduduk {person.nik}", rows=1, obj=person)
    audit.record(request, audit.EXPORT, filename, rows=120, obj=proposal)

UU 27/2022 (Pelindungan Data Pribadi) Pasal 31: the controller records every processing of
personal data. Admins read the log in the Django admin; nobody edits it.
"""

VIEW = "view"
EXPORT = "export"
# The second login step locked after too many wrong codes, and an admin lifting the lock.
LOCKOUT = "lockout"
UNLOCK = "unlock"


def record(request, action, what, *, rows=None, obj=None):
    from audit.services import record

    return record(request, action, what, rows=rows, obj=obj)
