"""`manage.py db_worker` with the test job kinds registered: `python -m tests.jobs.worker
[db_worker options]`, run by tests/jobs/test_worker.py."""

import os
import sys

import django
from django.core.management import call_command

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbipemda.settings")
    django.setup()
    import tests.jobs.kinds  # noqa: F401

    call_command("db_worker", *sys.argv[1:])
