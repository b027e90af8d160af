"""Following every link from the dashboard, as each demo role and as a superuser (staff), in Chinese and in English,
never meets a server error. A crawl of the demo site: same-site links only, GET only, downloads fetched too, logout
skipped; bounded by keeping a few addresses of each URL pattern (one indicator page tells what the next would)."""

import re
from collections import Counter
from html import unescape
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.django_db

USERS = ["leader", "analyst", "reviewer", "official", "official_fuzhou", "admin"]
LINK = re.compile(r'(?:href|action)="([^"#]*)"')
SKIPPED = ("/accounts/logout/", "/static/", "/i18n/")
# Addresses of one URL pattern (view and query keys) visited per user: the language changes the templates' words,
# not which data they show, so the English walk looks at fewer of each.
PER_PATTERN = {"zh-hans": 2, "en": 1}
MOST_PAGES = 300  # per user and language
# Files (the Excel report and template, the Word evaluation, evidence) are fetched by the first user reaching them,
# in Chinese. Django's admin is walked one page of each kind.
DOWNLOADS = (".xlsx", ".docx", "/evidence/")
FILES_IN = "zh-hans"


@pytest.fixture
def demo_site(settings):
    settings.DEBUG = True  # the demo accounts exist only for development
    call_command("create_demo_users", verbosity=0)
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False


def pattern(url):
    """What makes two addresses the same kind of page: the view, and which query parameters it is given."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
        view = match.view_name
    except Resolver404:
        view = parts.path
    if view.startswith("admin:"):
        # An admin page per model and kind (change list, change form, history), whatever the object and filter.
        return re.sub(r"/\d+/", "/N/", parts.path), ()
    return view, tuple(sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)}))


def links(response, base):
    if not response["Content-Type"].startswith("text/html"):
        return []
    found = []
    for raw in LINK.findall(response.content.decode()):
        url = unescape(raw)
        if url.startswith("?"):
            url = urlsplit(base).path + url
        if not url.startswith("/") or url.startswith("//") or url.startswith(SKIPPED):
            continue
        parts = urlsplit(url)
        query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
        found.append(parts.path + (f"?{query}" if query else ""))
    return found


def crawl(username, language, downloaded):
    """{url: status} of every page reached from the dashboard (the crawl's own bounds apply). `downloaded`: the
    patterns of the files fetched already, by any user."""
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username=username))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    queue, seen, kinds, statuses = ["/"], {"/"}, Counter(), {}
    while queue and len(statuses) < MOST_PAGES:
        url = queue.pop(0)
        response = client.get(url)
        statuses[url] = response.status_code
        following = [response["Location"]] if response.status_code in (301, 302) else links(response, url)
        for link in following:
            if link in seen:
                continue
            seen.add(link)
            kind = pattern(link)
            if urlsplit(link).path.endswith(DOWNLOADS):
                if language != FILES_IN or kind in downloaded:
                    continue
                downloaded.add(kind)
            if kinds[kind] < (1 if kind[0].startswith("/admin/") else PER_PATTERN[language]):
                kinds[kind] += 1
                queue.append(link)
    return statuses


# One test per language, so that two pytest-xdist workers share the crawls out; within one, the users share the
# files fetched and the pages the read cache keeps (as one test per user and language did not: 4x the time).
@pytest.mark.parametrize("language", PER_PATTERN)
def test_no_link_from_the_dashboard_leads_to_a_server_error(demo_site, language):
    errors, counts, downloaded = {}, {}, set()
    for username in USERS:
        statuses = crawl(username, language, downloaded)
        counts[username] = len(statuses)
        errors.update({(username, url): status for url, status in statuses.items() if status >= 500})
    assert errors == {}
    assert min(counts.values()) > 20, counts  # the crawl did find the site
