"""Several app processes on several hosts: each starts quickly, and they share one cache, so one render serves all
of them and one write is seen by all of them; a cache that is down only makes pages slower."""

import logging
import os
import subprocess
import sys
import uuid

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.urls import reverse

from dashboards import overviews
from tests.conftest import PASSWORD
from tests.story import approve

CLOSED_PORT = "redis://127.0.0.1:1/0"


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


def redis_reachable(url):
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def shared_cache(settings):
    """The cache as every app server would share it: Redis (TEST_REDIS_URL, by default db 4 of the local server), with
    a key prefix of this test's own, whose keys are deleted afterwards (never a FLUSHDB on a shared server)."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/4")
    if not redis_reachable(url):
        if os.environ.get("CI"):  # .ci/run starts Redis: there a missing server is a failure, never a skip
            pytest.fail(f"no Redis at {url}")
        pytest.skip(f"no Redis at {url} (CI starts one)")
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {"BACKEND": "planboard.shared_cache.FailSafeRedisCache", "LOCATION": url, "KEY_PREFIX": prefix}
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    server = redis.Redis.from_url(url)
    yield server, prefix
    keys = list(server.scan_iter(f"{prefix}:*"))
    if keys:
        server.delete(*keys)


def row_of(client, code):
    page = client.get(reverse("dashboards:dashboard"), {"year": 2023})
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index(f'<tr data-indicator="{code}">')
    return html[start : html.index("</tr>", start)]


@pytest.mark.django_db
def test_two_app_processes_share_one_render_and_one_write_refreshes_both(
    shared_cache, client, leader, plan, reviewer, district, monkeypatch
):
    server, prefix = shared_cache
    first_host, second_host = client, Client()
    first_host.force_login(leader)
    second_host.force_login(leader)

    assert "暂无数据" in row_of(first_host, "higher_ed_gross_enrolment")
    # What the first host rendered is in Redis, where every worker of every host reads it...
    assert any(b"template.cache.dashboard-page." in key for key in server.scan_iter(f"{prefix}:*"))
    # ...so the second host computes nothing.
    with monkeypatch.context() as patched:
        patched.setattr(overviews, "PlanProgress", None)
        assert "暂无数据" in row_of(second_host, "higher_ed_gross_enrolment")

    approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2023, "62")

    assert "符合预期" in row_of(second_host, "higher_ed_gross_enrolment")
    assert "符合预期" in row_of(first_host, "higher_ed_gross_enrolment")


@pytest.mark.django_db
def test_pages_answer_while_the_cache_is_down(settings, client, leader, plan, reviewer, district, caplog):
    """Redis stopped (nothing listens on its port): every page still answers from the database, a login still
    holds, a write is seen at once, and the failure is logged once, not on every request."""
    settings.CACHES = {"default": {"BACKEND": "planboard.shared_cache.FailSafeRedisCache", "LOCATION": CLOSED_PORT}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    assert client.login(username=leader.username, password=PASSWORD)

    with caplog.at_level(logging.WARNING, logger="planboard.shared_cache"):
        assert "暂无数据" in row_of(client, "higher_ed_gross_enrolment")
        for url in [
            reverse("dashboards:indicator", args=["higher_ed_gross_enrolment"]),
            reverse("dashboards:district", args=[district("province").code]),
            reverse("dashboards:api-progress"),
        ]:
            assert client.get(url).status_code == 200, url
        approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2023, "62")
        assert "符合预期" in row_of(client, "higher_ed_gross_enrolment")

    assert [r.getMessage() for r in caplog.records if "cannot be reached" in r.getMessage()] == [
        f"The cache at {CLOSED_PORT} cannot be reached (Error 111 connecting to 127.0.0.1:1. Connection refused.): "
        "pages are computed without it."
    ]


def test_redis_url_selects_the_shared_cache_and_sessions_kept_in_it_and_the_database():
    def configured(**env):
        code = "import django; django.setup(); from django.conf import settings as s; "
        code += "print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)"
        return subprocess.run(
            [sys.executable, "-c", code],
            env={"DJANGO_SETTINGS_MODULE": "planboard.settings", "SECRET_KEY": "test-only-secret", **env},
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()

    assert configured() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.contrib.sessions.backends.db",
    ]
    assert configured(REDIS_URL="redis://cache.intranet:6379/0") == [
        "planboard.shared_cache.FailSafeRedisCache",
        "django.contrib.sessions.backends.cached_db",
    ]
