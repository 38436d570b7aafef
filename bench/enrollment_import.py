"""Import benchmark: 100,000 participant rows through preview and confirm (as the import jobs
run them: the file is read one row at a time).

Run: .venv/bin/python bench/enrollment_import.py [ROWS]
With DATABASE_URL=postgres://… it creates and drops a database `pbipemda_bench` on that server;
without, it uses a throwaway SQLite file. Prints rows per second for each step and the peak
memory (resident set) of the process.
"""

import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 and __name__ == "__main__" else 100_000
SERVER_URL = os.environ.get("DATABASE_URL", "")
SQLITE = Path(tempfile.gettempdir()) / "pbipemda-bench-import.sqlite3"
if SERVER_URL:
    import psycopg

    ADMIN_URL = SERVER_URL
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS pbipemda_bench")
        admin.execute("CREATE DATABASE pbipemda_bench")
    DATABASE_URL = SERVER_URL.rsplit("/", 1)[0] + "/pbipemda_bench"
else:
    SQLITE.unlink(missing_ok=True)
    DATABASE_URL = f"sqlite:///{SQLITE}"
os.environ.update(
    DJANGO_SETTINGS_MODULE="pbipemda.settings", DJANGO_DEBUG="0", DATABASE_URL=DATABASE_URL
)
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-0123456789-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from enrollment import services  # noqa: E402
from enrollment.imports import PARTICIPANT_COLUMNS, plan_participants, read_rows  # noqa: E402
from regions.models import Regency, Village  # noqa: E402


def sample_csv(villages, rows=ROWS):
    lines = [",".join(PARTICIPANT_COLUMNS)]
    for n in range(rows):
        village = villages[n // 3 % len(villages)]  # three people per KK, one village
        prefix = village.code[:8].replace(".", "")
        day = n % 28 + 1
        # Unique, valid NIKs: the serial, month and year vary with n.
        nik = f"{prefix}{day:02d}{n // 9999 % 12 + 1:02d}{n // 119988 % 100:02d}{n % 9999 + 1:04d}"
        kk = f"{prefix}{n // 3:010d}"
        lines.append(
            f"{nik},{kk},Peserta {n},Kulon Progo,,L,4,1,Buruh,Dusun {n % 9},001,002,"
            f"{village.code},2025-01"
        )
    return "\n".join(lines).encode()


def main():
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", stdout=io.StringIO())
    admin = User.objects.create(username="bench-admin", role=Role.ADMIN)
    regency = Regency.objects.get(code="34.01")
    villages = list(Village.objects.filter(district__regency=regency))
    content = sample_csv(villages)

    def rows():
        return read_rows(io.BytesIO(content), "peserta.csv")

    start = time.perf_counter()
    preview = plan_participants(rows(), regency)
    preview_s = time.perf_counter() - start
    start = time.perf_counter()
    plan = services.participants_import(actor=admin, rows=rows(), regency=regency, source="bench")
    import_s = time.perf_counter() - start
    start = time.perf_counter()
    again = services.participants_import(actor=admin, rows=rows(), regency=regency, source="bench")
    again_s = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"database: {connections['default'].vendor}, rows: {ROWS:,}")
    print(f"preview (read, check)  {preview_s:6.1f} s  {ROWS / preview_s:9,.0f} rows/s")
    print(f"import (read, check, write) {import_s:6.1f} s  {ROWS / import_s:9,.0f} rows/s")
    print(f"same file again        {again_s:6.1f} s  {ROWS / again_s:9,.0f} rows/s")
    print(f"to add {preview.to_add:,}, added {plan.to_add:,}, then unchanged {again.unchanged:,}")
    print(f"import end to end      {ROWS / import_s:9,.0f} rows/s   (goal: >= 5,000)")
    print(f"peak memory (RSS)      {peak_mb:6.0f} MB   (goal: under 300 MB)")
    drop_database()


def drop_database():
    connections.close_all()
    if SERVER_URL:
        connections["default"].close_pool()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin_db:
            admin_db.execute("DROP DATABASE pbipemda_bench")
    else:
        SQLITE.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
