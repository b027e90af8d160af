"""`make run` (DEBUG) still shows the friendly Chinese 404 page, and HOST joins ALLOWED_HOSTS."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_missing_page_under_debug_is_the_chinese_not_found_page(client, settings, leader):
    settings.DEBUG = True
    client.force_login(leader)
    for url in ("/no-such-page/", reverse("dashboards:indicator", args=["no_such_indicator"])):
        page = client.get(url)
        assert page.status_code == 404
        text = page.content.decode()
        assert "页面不存在" in text and "Page not found" not in text and "URLconf" not in text


def test_a_missing_api_answer_is_left_alone(client, settings, leader):
    settings.DEBUG = True
    client.force_login(leader)
    assert "页面不存在" not in client.get("/api/districts/999999/").content.decode()


def allowed_hosts(**env):
    code = "import django; django.setup(); from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    environment = {k: v for k, v in os.environ.items() if k not in ("HOST", "ALLOWED_HOSTS", "SECRET_KEY")}
    environment.update(DJANGO_SETTINGS_MODULE="planboard.settings", **env)
    run = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True)
    return run.stdout.strip()


def test_make_run_on_the_network_allows_the_host_it_listens_on_only_under_debug():
    assert allowed_hosts(DEBUG="1", HOST="0.0.0.0") == "['127.0.0.1', 'localhost', '*']"
    assert allowed_hosts(DEBUG="1", HOST="192.168.1.5") == "['127.0.0.1', 'localhost', '192.168.1.5']"
    assert allowed_hosts(DEBUG="1") == "['127.0.0.1', 'localhost']"
    assert allowed_hosts(SECRET_KEY="x", HOST="0.0.0.0") == "['127.0.0.1', 'localhost']"
