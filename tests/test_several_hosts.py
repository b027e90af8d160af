"""Several app processes on several hosts: each starts quickly, and they share one cache, so one render serves all
of them and one write is seen by all of them; a cache that is down only makes pages slower."""

import subprocess
import sys

from django.conf import settings


def test_an_app_process_starts_without_loading_matplotlib():
    """Only the Word report draws chart images; every gunicorn worker and manage.py command used to pay about 0.7 s
    for matplotlib at start-up."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, django; django.setup(); import planboard.urls; print(sorted(m for m in "
            "('matplotlib', 'dashboards.chart_images') if m in sys.modules))",
        ],
        env={"DJANGO_SETTINGS_MODULE": "planboard.settings", "SECRET_KEY": "test-only-secret", "PATH": "/usr/bin"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert loaded.strip() == "[]"
