"""Chinese first, English on request.

Every page is Chinese whatever the browser's Accept-Language says; a user who picks English with the language
switch gets English pages, and can switch back. The walk below visits every page of the site (listed by URL name,
checked against the URLconfs so a new page cannot be forgotten) in both languages:

- in English, once everything that is data (any text stored in the database: names of indicators, districts and
  tasks without an English name, notes, units…) is taken out, no Chinese character may remain;
- in Chinese, no English interface words may appear, and labels end in a full-width colon, not an ASCII ":".
"""

import io
import json
import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from figures import excel_template, pipeline, review
from plans.models import District, Indicator, Plan, Task
from tests.conftest import FJ, PASSWORD

pytestmark = pytest.mark.django_db

YEAR = 2024
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@dataclass
class Page:
    """How to see one page: as whom (a conftest user fixture, None for anonymous), with which URL arguments
    (a function of the Site), and whether to post something first (`before(client, site)`)."""

    user: str | None = "reviewer"
    args: object = None
    query: str = ""
    before: object = None
    method: str = "get"
    data: dict = field(default_factory=dict)


def _upload_template(client, site):
    """An official fills the Excel template and uploads it, so the preview page has lines to show."""
    response = client.get(reverse("figures:import-template"), {"year": YEAR})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["福州"]
    row = next(r[0].row for r in sheet.iter_rows(min_row=3) if r[0].value == "general_high_school_enrolment")
    sheet[f"G{row}"] = 12.3
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "template.xlsx"
    assert client.post(reverse("figures:import"), {"file": buffer, "action": "save"}).status_code == 302


def _upload_plan_workbook(client, site):
    """An administrator downloads the plan's workbook and uploads it again, so the preview page has a plan."""
    response = client.get(reverse("plans:workbook-download", args=[Plan.objects.current().code]))
    buffer = io.BytesIO(response.content)
    buffer.name = "plan.xlsx"
    assert client.post(reverse("plans:workbook"), {"file": buffer}).status_code == 302


# Every page of the site, by URL name. A new page needs a line here (test_every_page_is_walked says so).
PAGES = {
    "dashboards:dashboard": Page(),
    "dashboards:indicator": Page(args=lambda s: [s.indicator.code], query="?district=350100"),
    "dashboards:district": Page(args=lambda s: ["350100"]),
    "dashboards:overview": Page(query="?district=350100"),
    "figures:entry-index": Page(),
    "figures:entry": Page(args=lambda s: ["350100", YEAR]),
    "figures:review": Page(),
    "figures:completeness": Page(),
    "figures:observation-history": Page(args=lambda s: [s.figure.pk]),
    "figures:year-locks": Page(),
    "exports:export": Page(user="leader"),
    "figures:import": Page(user="official_fuzhou"),
    "figures:import-preview": Page(user="official_fuzhou", before=_upload_template),
    "tasks:list": Page(),
    "tasks:detail": Page(args=lambda s: [s.task.number], query=f"?year={YEAR}"),
    "tasks:district-targets": Page(),
    "tasks:key-projects": Page(),
    "plans:workbook": Page(user="admin"),
    "plans:workbook-preview": Page(user="admin", before=_upload_plan_workbook),
    "plans:review-flags": Page(),
    "dashboards:open-plan": Page(user=None, args=lambda s: [s.published().code]),
    "login": Page(user=None),
    "password_change": Page(),
    "password_change_done": Page(),
    "season:todo": Page(user="official_fuzhou"),
    "season:timeliness": Page(),
    "figures:quality": Page(query=f"?year={YEAR}"),
}
# Pages that are not URL names of their own: error pages, and forms as they come back with errors.
EXTRA_PAGES = {
    "404": Page(args="/no-such-page/"),
    "403": Page(user="official_fuzhou", args=f"{FJ}/review/"),
    "login with a wrong password": Page(
        user=None, method="post", data={"username": "reviewer", "password": "wrong"}, args="/accounts/login/"
    ),
    "password change with errors": Page(
        method="post",
        data={"old_password": "wrong", "new_password1": "1", "new_password2": "2"},
        args="/accounts/password/",
    ),
    "year lock confirmation": Page(method="post", args=f"{FJ}/years/{YEAR + 1}/lock/"),
    "review filtered": Page(query="", args=f"{FJ}/review/?year={YEAR + 1}&district=350100"),
    "entry grid with errors": Page(
        user="official_fuzhou", method="post", args=f"{FJ}/report/350100/2024/", data={"form-TOTAL-FORMS": "x"}
    ),
}
# URL names that are not HTML pages: API endpoints, downloads, and POST-only actions that redirect.
NOT_PAGES = {
    "season:start",
    "season:notice-read",
    "season:notices-read",
    "season:year-round",
    "season:timeliness-xlsx",
    "figures:quality-xlsx",
    "exports:export-report",
    "exports:export-evaluation",
    "status-css",
    "figures:import-template",
    "figures:import-confirm",
    "plans:workbook-download",
    "plans:workbook-confirm",
    "figures:observation-review",
    "figures:observation-restore",
    "figures:year-lock",
    "figures:year-unlock",
    "tasks:report",
    "tasks:evidence",
    "logout",
    "healthz",
    "set_language",
    "switch-plan",  # a redirect to the same page in another plan
    "dashboards:open-datapackage",
    "dashboards:open-table",
    "dashboards:open-indicator-csv",
}

# The Django admin, as an administrator meets it: its index with every section, a list and a form.
ADMIN_PAGES = {
    "admin index": Page(user="admin", args="/admin/"),
    "admin indicators": Page(user="admin", args="/admin/plans/indicator/"),
    "admin districts": Page(user="admin", args="/admin/plans/district/"),
    "admin indicator": Page(user="admin", args=lambda s: f"/admin/plans/indicator/{s.indicator.pk}/change/"),
}
# Besides the role each page names, these roles walk every page in English too (what they may not see answers
# 403 or 404, in English).
ALSO_AS = ("leader", "official_fuzhou", "analyst")

# English interface words that must not appear on Chinese pages (whole words, case-sensitive).
ENGLISH_WORDS = [
    "planboard",
    "Dashboard",
    "Overview",
    "Save",
    "Submit",
    "Login",
    "Log in",
    "Logout",
    "Log out",
    "Password",
    "Username",
    "Search",
    "Filter",
    "Next",
    "Previous",
    "Required",
    "This field",
    "Enter",
    "Change",
    "Download",
    "Upload",
    "Year",
    "District",
    "Indicator",
    "Status",
    "Target",
    "Task",
    "Progress",
]
ENGLISH = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")\b")
ASCII_LABEL_SUFFIX = re.compile(r"[\u4e00-\u9fff]:")


class Site:
    """The plan with demo figures, one figure waiting for review with a history, one task progress report."""

    def __init__(self, users):
        call_command("load_demo", verbosity=0)
        self.users = users
        self.indicator = Indicator.objects.get(code="general_high_school_enrolment")
        self.task = Task.objects.order_by("number").first()
        cell = {"indicator": self.indicator, "district": District.objects.get(slug="fuzhou"), "year": YEAR + 1}
        official = users["official_fuzhou"]
        figure = pipeline.record_value(by=official, **cell, value="15.1")
        figure = pipeline.record_value(by=official, **cell, value="15.1", action="submit", version=figure.version)
        figure = review.return_for_revision(observation=figure, by=users["reviewer"], comment="请核对")
        self.figure = pipeline.record_value(by=official, **cell, value="15.2", action="submit", version=figure.version)
        client = Client()
        client.force_login(users["reviewer"])
        report = client.post(
            reverse("tasks:report", args=[self.task.number, YEAR]),
            {"status": "in_progress", "summary": "按计划推进", "version": 0},
        )
        assert report.status_code == 302, report.content.decode()[:2000]

    @staticmethod
    def published():
        """The plan, published as open data (off by default)."""
        plan = Plan.objects.current()
        plan.published = True
        plan.save(update_fields=["published"])
        return plan

    def client(self, page, language=None, accept_language="en"):
        """A browser that asks for English in Accept-Language; `language` is what the user chose with the switch."""
        client = Client(headers={"accept-language": accept_language})
        if page.user:
            client.force_login(self.users[page.user])
        if language:
            choose_language(client, language)
        if page.before:
            page.before(client, self)
        return client

    def url(self, name, page):
        if isinstance(page.args, str):
            return page.args
        if name.startswith("admin"):
            return page.args(self)
        return reverse(name, args=page.args(self) if page.args else []) + page.query


def choose_language(client, language, next_url="/"):
    """What the header's language switch does: a POST to Django's set_language view."""
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    return response


@pytest.fixture
def site(official_fuzhou, reviewer, leader, analyst, make_user, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = make_user("root", superuser=True)
    users = {"official_fuzhou": official_fuzhou, "reviewer": reviewer, "leader": leader, "admin": admin}
    return Site({**users, "analyst": analyst})


class Visible(HTMLParser):
    """The text a person meets on a page: text nodes, the attributes read out or shown on hover, and the strings
    of json_script blocks (chart labels). Elements marked with a lang other than the page's are left out: the
    language switch names each language in that language."""

    SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, language):
        super().__init__(convert_charrefs=True)
        self.language, self.texts, self.stack = language, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        foreign = "lang" in attrs and tag != "html" and not attrs["lang"].startswith(self.language)
        if tag not in self.VOID:
            parent_skip = self.stack[-1][1] if self.stack else False
            self.stack.append((tag, parent_skip or foreign, attrs))
        if not foreign and not (self.stack and self.stack[-1][1]):
            self.texts += [value for name, value in attrs.items() if name in self.SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self.stack:
            self.texts.append(data)
            return
        tag, skip, attrs = self.stack[-1]
        if skip or tag == "style":
            return
        if tag == "script":
            if attrs.get("type") == "application/json":
                self.texts += list(_strings(json.loads(data)))
            return
        self.texts.append(data)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def visible_text(response, language):
    parser = Visible(language)
    parser.feed(response.content.decode())
    return parser.texts


def stored_texts(raw=False):
    """Every Chinese text stored in the database (the plan, demo figures, notes, user names…): data, shown as is.
    Fields with choices are left out (their labels are translated), and so are the texts Python stores in the
    language of the moment (history change reasons): those are findings, not data."""
    # Names and units with an English name are not data on English pages: they must show in English.
    translated = {
        District: {"name": "name_en", "short_name": "name_en"},
        Indicator: {"name": "name_en", "unit": "unit_en"},
        Task: {"title": "title_en"},
    }
    texts = set()
    for model in apps.get_models():
        if model._meta.app_label not in {"plans", "figures", "tasks", "auth"}:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
            and not f.choices
            and f.name != "history_change_reason"
            and not isinstance(f, models.FileField)
        ]
        english = {} if raw else translated.get(model, {})
        names = [f.attname for f in fields] + sorted(set(english.values()))
        for row in model.objects.values(*names) if fields else ():
            texts.update(
                row[f.attname]
                for f in fields
                if row[f.attname] and HAN.search(row[f.attname]) and not row.get(english.get(f.name, ""), "")
            )
    # The Excel template's column headers are fixed Chinese text (uploads are matched against them): the English
    # pages quote them as they are.
    texts.update(header for _field, header in excel_template.TEMPLATE_COLUMNS)
    # Data shown shortened with truncatechars (indicator names in the task list…).
    texts |= {text[: n - 1] + "…" for text in list(texts) for n in (16, 40, 80) if len(text) > n}
    return sorted(texts, key=len, reverse=True)


def without_data(texts, data):
    left = []
    for text in texts:
        for item in data:
            if item in text:
                text = text.replace(item, " ")
        left.append(text)
    return left


def every_url_name(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or entry.app_name == "admin":
                continue
            yield from every_url_name(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name


ALL_PAGES = {**PAGES, **EXTRA_PAGES, **ADMIN_PAGES}


def test_every_page_is_walked():
    names = {name for name in every_url_name() if not name.split(":")[-1].startswith("api-")}
    assert names - NOT_PAGES == set(PAGES), "add new pages to PAGES (or to NOT_PAGES if they are not HTML pages)"


def get(client, url, page):
    response = getattr(client, page.method)(url, page.data) if page.method == "post" else client.get(url)
    assert response.status_code in (200, 400, 403, 404), (url, response.status_code)
    assert response["Content-Type"].startswith("text/html"), url
    return response


def english_problems(site, name, page, data, raw_data=()):
    client = site.client(page, language="en")
    response = get(client, site.url(name, page), page)
    assert response.wsgi_request.LANGUAGE_CODE == "en"
    assert '<html lang="en"' in response.content.decode()
    if name.startswith("admin"):
        data = raw_data  # the admin edits the stored fields themselves, Chinese names beside English ones
    elif name.startswith("figures:import-preview"):
        data = [*data, *District.objects.values_list("short_name", flat=True)]  # the uploaded file's sheet names
    left = without_data(visible_text(response, "en"), data)
    return {run for text in left for run in HAN.findall(text)}


def chinese_problems(site, name, page, data, raw_data=()):
    client = site.client(page)  # the browser asks for English, the user chose nothing
    response = get(client, site.url(name, page), page)
    assert response.wsgi_request.LANGUAGE_CODE == "zh-hans"
    assert '<html lang="zh-hans"' in response.content.decode()
    texts = visible_text(response, "zh")
    return {word for text in texts for word in ENGLISH.findall(text)} | {
        match for text in texts for match in ASCII_LABEL_SUFFIX.findall(text)
    }


# One walk per language over every page (the demo data take seconds to load, so not one test per page); the
# failure lists every page with what it still shows in the wrong language.
@pytest.mark.parametrize(
    "problems",
    [english_problems, chinese_problems],
    ids=["english pages have no chinese but data", "chinese pages have no english words nor ascii label colons"],
)
def test_every_page_in_one_language(site, problems):
    data, raw_data = stored_texts(), stored_texts(raw=True)
    pages = ALL_PAGES if problems is english_problems else {**PAGES, **EXTRA_PAGES}
    found = {name: problems(site, name, page, data, raw_data) for name, page in pages.items()}
    if problems is english_problems:
        for role in ALSO_AS:
            for name, page in PAGES.items():
                if page.user == "reviewer" and name not in ("password_change_done",):
                    found[f"{name} as {role}"] = problems(site, name, replace(page, user=role), data, raw_data)
    wrong = {name: sorted(words) for name, words in found.items() if words}
    assert not wrong, "\n".join(f"{name}: {words}" for name, words in wrong.items())


def test_chinese_whatever_the_browser_asks_english_when_chosen_and_back(client, reviewer):
    client.force_login(reviewer)
    for accept in ("en", "en-US,en;q=0.9", "zh-CN", "fr"):
        page = client.get(f"{FJ}/", headers={"accept-language": accept})
        assert page.wsgi_request.LANGUAGE_CODE == "zh-hans" and "进展总览" in page.content.decode()

    choose_language(client, "en", next_url=f"{FJ}/tasks/")
    page = client.get(f"{FJ}/tasks/", headers={"accept-language": "zh-CN"})
    body = page.content.decode()
    assert page["Content-Language"] == "en" and "Main tasks" in body and "主要任务" not in body
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    choose_language(client, "zh-hans")
    page = client.get(f"{FJ}/", headers={"accept-language": "en"})
    assert page["Content-Language"] == "zh-hans" and "进展总览" in page.content.decode()


def test_an_unknown_language_in_the_cookie_falls_back_to_chinese(client, reviewer):
    client.force_login(reviewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/").wsgi_request.LANGUAGE_CODE == "zh-hans"


def test_the_switch_is_a_plain_form_in_the_header_and_works_before_login(client):
    body = client.get("/accounts/login/").content.decode()
    header = body[body.index('<header class="site-header">') : body.index("</header>")]
    assert f'action="{reverse("set_language")}"' in header and 'method="post"' in header
    assert 'name="csrfmiddlewaretoken"' in header
    assert '<button name="language" value="en" class="link" lang="en">English</button>' in header
    assert "<script" not in header and "onchange" not in body

    choose_language(client, "en", next_url="/accounts/login/")
    body = client.get("/accounts/login/").content.decode()
    assert "<h1>Log in</h1>" in body and 'value="zh-hans"' in body and 'lang="zh-hans">简体中文</button>' in body


def test_django_s_own_messages_follow_the_chosen_language(client, reviewer):
    wrong = {"username": "reviewer", "password": "wrong"}
    chinese = client.post("/accounts/login/", wrong, headers={"accept-language": "en"}).content.decode()
    assert "请输入一个正确的" in chinese
    choose_language(client, "en", next_url="/accounts/login/")
    english = client.post("/accounts/login/", wrong).content.decode()
    assert "Please enter a correct" in english


def test_labels_end_in_a_full_width_colon_in_chinese_and_an_ascii_one_in_english(client, reviewer):
    client.force_login(reviewer)
    chinese = client.get("/accounts/password/").content.decode()
    assert re.search(r"旧密码：</label>", chinese), chinese
    choose_language(client, "en", next_url="/accounts/password/")
    english = client.get("/accounts/password/").content.decode()
    assert re.search(r"Old password:</label>", english)


def test_english_pages_use_the_english_names_of_the_plan(client, reviewer):
    indicator = Indicator.objects.get(code="general_high_school_enrolment")
    task = Task.objects.exclude(title_en="").order_by("number").first()
    fuzhou = District.objects.get(slug="fuzhou")
    assert indicator.name_en and task.title_en and fuzhou.name_en
    client.force_login(reviewer)

    chinese = client.get(reverse("dashboards:indicator", args=[indicator.code]) + "?district=350100").content.decode()
    assert indicator.name in chinese and indicator.name_en not in chinese
    assert indicator.display_name == indicator.name and task.display_title == task.title

    choose_language(client, "en")
    english = client.get(reverse("dashboards:indicator", args=[indicator.code]) + "?district=350100").content.decode()
    assert f"<h1>{indicator.name_en}" in english and fuzhou.name_en in english
    assert task.title_en in client.get(reverse("tasks:detail", args=[task.number])).content.decode()


def test_login_page_logs_in_in_english_too(client, reviewer):
    choose_language(client, "en", next_url="/accounts/login/")
    response = client.post("/accounts/login/", {"username": "reviewer", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").wsgi_request.LANGUAGE_CODE == "en"
