"""Shared fixtures: the real plan loaded once, and one user per role."""

import os

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished
from django.test import override_settings
from django.urls import set_urlconf
from django.utils import translation

from planboard import roles
from planboard.urls import urlconf_of
from plans.models import District, Plan

PASSWORD = "a-test-password-9"
FUJIAN = "fujian-14th-education"
FJ = f"/plans/{FUJIAN}"  # the Fujian plan's pages
# 待办's count in the header of officials' and reviewers' pages, with a cold cache: the season's data version, the
# unread notices, the figures awaiting a reviewer, the open rounds (figures/todo.py; one query once cached).
HEADER_COUNT_QUERIES = 4


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """Hashing a password the production way takes a quarter of a second; tests log in thousands of times (Django's
    docs recommend MD5 for tests)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def plain_static_files_and_no_lockout(settings):
    """Tests run without collectstatic, and log in without a request object (axes needs one)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test rolls its writes back, and with them the data version the read pages' cache is keyed on."""
    cache.clear()


@pytest.fixture(autouse=True)
def chinese_after_each_test():
    """The language middleware activates the cookie's language for the thread; a test that asked for English must
    not leave the next one speaking it."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


class _Links:
    """Which plan's pages reverse() in a test links to (see links_in)."""

    code = FUJIAN

    def restore(self, **kwargs):
        set_urlconf(urlconf_of(self.code))


@pytest.fixture(autouse=True)
def links_in():
    """reverse() in a test yields an address on the Fujian plan's pages, as a link on them does (outside a request
    reverse() yields a page's old address, which redirects). `links_in(plan)` switches to another plan's pages.

    Each request ends with Django resetting the URLconf: the receiver sets it again after that."""
    links = _Links()
    links.restore()
    request_finished.connect(links.restore)

    def switch(plan):
        links.code = plan.code
        links.restore()

    yield switch
    request_finished.disconnect(links.restore)
    set_urlconf(None)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the tests run on a file in a temporary directory, not in memory: the threaded tests' writers
    each need their own connection to a database they share, with SQLite's real locking (TEST_SQLITE_FILE names
    the file). Each pytest-xdist worker has a database of its own: its own temporary directory, or TEST_SQLITE_FILE
    with the worker's name appended (PostgreSQL's test database gets the same suffix from pytest-django)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        name, worker = os.environ.get("TEST_SQLITE_FILE"), os.environ.get("PYTEST_XDIST_WORKER")
        if name and worker:
            name = f"{name}_{worker}"
        database.setdefault("TEST", {})["NAME"] = str(name or tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the Fujian plan as `make run` loads it (without demo figures)."""
    with django_db_blocker.unblock():
        call_command("load_plan", verbosity=0)


@pytest.fixture
def plan(db):
    return Plan.objects.current()


@pytest.fixture
def district(db):
    """Districts by slug: district("fuzhou"), district("province")."""
    return lambda slug: District.objects.get(slug=slug)


@pytest.fixture
def make_user(db):
    def make(username, role=None, *, districts=(), superuser=False):
        user = get_user_model().objects.create_user(
            username, password=PASSWORD, is_superuser=superuser, is_staff=superuser
        )
        if role:
            roles.ensure_groups()
            user.groups.add(Group.objects.get(name=role))
        for slug in districts:
            District.objects.get(slug=slug).members.add(user)
        return user

    return make


@pytest.fixture
def official_fuzhou(make_user):
    return make_user("official_fuzhou", roles.OFFICIAL, districts=["fuzhou"])


@pytest.fixture
def official_xiamen(make_user):
    return make_user("official_xiamen", roles.OFFICIAL, districts=["xiamen"])


@pytest.fixture
def official_province(make_user):
    return make_user("official", roles.OFFICIAL, districts=["province"])


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", roles.REVIEWER)


@pytest.fixture
def city_reviewer(make_user):
    """Fuzhou's city reviewer (市级审核员): the first of two levels of review."""
    return make_user("reviewer_fuzhou", roles.CITY_REVIEWER, districts=["fuzhou"])


@pytest.fixture
def leader(make_user):
    return make_user("leader", roles.LEADER)


@pytest.fixture
def analyst(make_user):
    return make_user("analyst", roles.ANALYST)


@pytest.fixture
def browser_plan(transactional_db):
    """live_server tests run on flushed tables: load the plan into them."""
    call_command("load_plan", verbosity=0)
    return Plan.objects.current()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright; never skipped, CI installs it."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page, site, username):
    """Log `username` in through the login form of the site at `site`, and wait for the page it leads to (the
    dashboard, or 待办 for whoever has work)."""
    page.goto(f"{site}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/plans/**")
    return page


@pytest.fixture
def login(page, live_server):
    return lambda user: log_in(page, live_server.url, user.username)


@pytest.fixture
def logged_in_at(browser, live_server):
    """`(user, width, height, phone=False)`: a page of its own browser context at that size (a phone's touch screen
    with `phone`), `user` logged in; the contexts close at the end of the test."""
    contexts = []

    def open_at(user, width, height, *, phone=False):
        context = browser.new_context(
            locale="zh-CN", viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return log_in(page, live_server.url, user.username)

    yield open_at
    for context in contexts:
        context.close()
