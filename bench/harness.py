"""Django for a bench script run from the checkout (`python bench/<script>.py`): settings from the environment, by
default a fresh SQLite file, migrated; static files referenced unhashed, as in tests, so no collectstatic is needed."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def start_django(name, *, fresh=True):
    """Set Django up; with `fresh`, on a new, migrated SQLite file named after the bench."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planboard.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    if fresh:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/{name}.sqlite3"
    import django
    from django.conf import settings

    django.setup()
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    if fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
