"""planboard is safe to expose to every official: deploy checks, headers, no anonymous access, throttled logins."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from planboard.urls import urlconf_of
from tests.conftest import FJ, FUJIAN

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "SECRET_KEY": "prod-" + "k7Qx9vLm2Rt8Zp4Wn6Yb3Hc5Jd1Fg0Sa" * 2,
    "ALLOWED_HOSTS": "planboard.jyt.fujian.example",
    "CSRF_TRUSTED_ORIGINS": "https://planboard.jyt.fujian.example",
    "HTTPS": "1",
    "DATABASE_URL": "sqlite://:memory:",
}


def test_production_settings_pass_the_deploy_check():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env |= PRODUCTION_ENV
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECRET_KEY")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_pages_send_a_strict_content_security_policy_and_safety_headers(client, leader):
    client.force_login(leader)
    response = client.get(f"{FJ}/")
    policy = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert script_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def every_url(resolver=None, prefix=""):
    """Every route of the site (the Fujian plan's pages among them) with sample arguments filled in."""
    for entry in (resolver or get_resolver(urlconf_of(FUJIAN))).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from every_url(entry, route)
        elif isinstance(entry, URLPattern):
            path = re.sub(r"<int:\w+>", "1", route)
            path = re.sub(r"<(?:slug|str):\w+>", "350100", path)
            path = re.sub(r"<path:\w+>", "x", path)
            if "(?P" not in path and "^" not in path:
                yield "/" + path


PUBLIC = {"/accounts/login/", "/healthz", "/i18n/setlang/", "/status.css"}


def test_every_page_and_endpoint_needs_a_login(client):
    urls = sorted({url for url in every_url() if url not in PUBLIC and not url.startswith("/" + settings.ADMIN_URL)})
    assert f"{FJ}/" in urls and "/api/plan/" in urls
    for url in urls:
        response = client.get(url)
        if url.startswith("/open/"):
            # Open data needs no login, and exists only for a plan its administrator published (none here).
            assert response.status_code == 404, url
        elif url.startswith("/api/"):
            assert response.status_code in (401, 405), url
            assert response.status_code != 200
        else:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_the_admin_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/" + settings.ADMIN_URL)
    assert response.status_code == 302 and "login" in response["Location"]


OUTSIDE = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def test_no_template_loads_anything_from_outside_the_site():
    templates = list((settings.BASE_DIR / "templates").rglob("*.html"))
    assert templates
    offenders = [str(path) for path in templates if OUTSIDE.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_rendered_pages_load_only_our_own_files(client, leader):
    call_command("load_demo")
    client.force_login(leader)
    for url in (f"{FJ}/", "/api/plan/"):
        body = client.get(url).content.decode()
        assert not OUTSIDE.search(body), url


def test_repeated_wrong_passwords_lock_the_account_for_a_while(client, settings, leader):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "leader", "password": "guess"})
    response = client.post("/accounts/login/", {"username": "leader", "password": "a-test-password-9"})
    assert response.status_code == 429
    assert "登录已暂停" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_good_password_still_logs_in_before_the_limit(client, settings, leader):
    settings.AXES_ENABLED = True
    client.post("/accounts/login/", {"username": "leader", "password": "guess"})
    response = client.post("/accounts/login/", {"username": "leader", "password": "a-test-password-9"})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(leader.pk)


def test_sessions_end_after_an_hour_without_a_request(client, leader, monkeypatch):
    clock = [1_800_000_000]
    monkeypatch.setattr("planboard.middleware.time.time", lambda: clock[0])
    client.force_login(leader)
    response = client.get(f"{FJ}/")
    assert response.cookies["sessionid"]["max-age"] == 3600
    assert response.cookies["sessionid"]["httponly"]

    def expiry():
        return Session.objects.get(session_key=client.session.session_key).expire_date

    first = expiry()

    # A page a minute later reads the session without writing it; five minutes later the hour starts again.
    clock[0] += 60
    assert "sessionid" not in client.get(f"{FJ}/").cookies
    assert expiry() == first
    clock[0] += 300
    assert client.get(f"{FJ}/").cookies["sessionid"]["max-age"] == 3600
    assert expiry() > first


def test_the_health_check_reports_the_database_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_the_balancer_reaches_the_health_check_over_plain_http_behind_https(client, settings):
    """Behind HTTPS=1 every page redirects plain HTTP to HTTPS, but the balancer checks each app server directly,
    over plain HTTP: a redirect there would take every host out of service."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"
    assert client.get("/accounts/login/").status_code == 301


def test_weak_passwords_are_refused_when_changing_password(client, leader):
    client.force_login(leader)
    response = client.post(
        "/accounts/password/",
        {"old_password": "a-test-password-9", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "这个密码太常见了" in response.content.decode() or "密码全部为数字" in response.content.decode()
