"""Behind a reverse proxy every request comes from the proxy's address: the lockout must follow the client's
address in X-Forwarded-For (django-ipware, as PROXY_COUNT says), or one guesser locks out everyone."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # REMOTE_ADDR of every request: the proxy
GUESSER, COLLEAGUE = "114.114.114.114", "223.5.5.5"


def settings_with(**environment):
    """The proxy settings as planboard/settings.py computes them from the environment."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.AXES_IPWARE_PROXY_COUNT, s.AXES_IPWARE_META_PRECEDENCE_ORDER)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "planboard.settings", "SECRET_KEY": "x", **environment}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=django_settings.BASE_DIR
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_proxy_count_sets_where_axes_reads_the_address():
    assert settings_with(PROXY_COUNT="0") == "None ('REMOTE_ADDR',)"
    assert settings_with(PROXY_COUNT="1") == "0 ('HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR')"
    assert settings_with(PROXY_COUNT="2") == "1 ('HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR')"


@pytest.fixture
def one_proxy(settings):
    """Axes on (tests/conftest.py turns it off), with the settings PROXY_COUNT=1 gives."""
    settings.AXES_ENABLED = True
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    return settings


def log_in(client, password, forwarded_for):
    return client.post(
        "/accounts/login/",
        {"username": "leader", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_wrong_passwords_from_one_client_do_not_lock_out_another_behind_the_same_proxy(one_proxy, leader):
    guesser, colleague = Client(), Client()
    for _ in range(one_proxy.AXES_FAILURE_LIMIT):
        log_in(guesser, "guess", GUESSER)
    assert log_in(guesser, "a-test-password-9", GUESSER).status_code == 429
    response = log_in(colleague, "a-test-password-9", COLLEAGUE)
    assert response.status_code == 302 and colleague.session["_auth_user_id"] == str(leader.pk)


def test_a_client_cannot_escape_the_lockout_by_writing_its_own_forwarded_for(one_proxy, leader):
    guesser = Client()
    for _ in range(one_proxy.AXES_FAILURE_LIMIT):
        log_in(guesser, "guess", GUESSER)
    # The proxy appends the address it saw to whatever the client sent.
    assert log_in(guesser, "a-test-password-9", f"{COLLEAGUE}, {GUESSER}").status_code == 429
