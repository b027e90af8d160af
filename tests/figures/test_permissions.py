"""Who may do what, enforced on the server for every request, by page and by API.

Each role tries to read, enter, submit, approve, reopen and lock 福州's figures of 2021. The official of
福州 is "own district"; the official of 厦门 is "other district", to whom 福州's figures do not exist (404).
"""

import json

import pytest
from django.urls import reverse

from figures import pipeline, review
from figures.models import Observation, ReportingYear
from planboard import roles
from plans.models import Indicator
from tests.conftest import FJ, PASSWORD
from tests.story import official_for

pytestmark = pytest.mark.django_db

CELL = {"indicator": "general_high_school_enrolment", "district": "350100", "year": 2021}
ROLES = ["own_official", "other_official", "reviewer", "leader", "analyst", "admin"]


@pytest.fixture
def actor(make_user):
    def make(role):
        return {
            "own_official": lambda: make_user("own", roles.OFFICIAL, districts=["fuzhou"]),
            "other_official": lambda: make_user("other", roles.OFFICIAL, districts=["xiamen"]),
            "reviewer": lambda: make_user("checker", roles.REVIEWER),
            "leader": lambda: make_user("boss", roles.LEADER),
            "analyst": lambda: make_user("numbers", roles.ANALYST),
            "admin": lambda: make_user("root", superuser=True),
        }[role]()

    return make


@pytest.fixture
def fuzhou_figure(plan, district, make_user):
    """福州's 2021 figure in a given status, entered by a colleague of the own official."""

    def make(status):
        colleague = make_user("colleague", roles.OFFICIAL, districts=["fuzhou"])
        checker = make_user("first_reviewer", roles.REVIEWER)
        figure = pipeline.record_value(
            by=colleague,
            indicator=Indicator.objects.get(plan=plan, code=CELL["indicator"]),
            district=district("fuzhou"),
            year=2021,
            value="12",
            action="save" if status == "draft" else "submit",
        )
        if status == "approved":
            figure = review.approve(observation=figure, by=checker)
        return figure

    return make


def api_post(client, body, url="/api/observations/"):
    return client.post(url, json.dumps(body), content_type="application/json")


# role: expected status of (read page, read API) for an approved figure and for a draft.
READ = {
    "own_official": (200, 200, 200),
    "other_official": (404, 404, 404),
    "reviewer": (200, 200, 200),
    "leader": (200, 200, 404),
    "analyst": (200, 200, 200),
    "admin": (200, 200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_read(client, actor, fuzhou_figure, role):
    approved_page, approved_api, draft_page = READ[role]
    figure = fuzhou_figure("approved")
    client.force_login(actor(role))
    assert client.get(reverse("figures:observation-history", args=[figure.pk])).status_code == approved_page
    listed = client.get("/api/observations/", {"district": "350100", "year": 2021})
    assert listed.status_code == approved_api
    if approved_api == 200:
        assert [o["status"] for o in listed.json()["observations"]] == ["approved"]
    Observation.objects.filter(pk=figure.pk).update(status="draft", approved_at=None, approved_by=None)
    assert client.get(reverse("figures:observation-history", args=[figure.pk])).status_code == draft_page


# role: expected status of the grid page (GET), saving it (POST) and the API (POST), per action.
ENTER = {
    "own_official": (200, 302, 201),
    "other_official": (404, 404, 404),
    "reviewer": (200, 302, 201),
    "leader": (403, 403, 403),
    "analyst": (200, 302, 201),
    "admin": (200, 302, 201),
}


@pytest.mark.parametrize("action", ["save", "submit"])
@pytest.mark.parametrize("role", ROLES)
def test_enter_and_submit(client, actor, role, action):
    page_get, page_post, api = ENTER[role]
    client.force_login(actor(role))
    url = reverse("figures:entry", args=["350100", 2021])
    assert client.get(url).status_code == page_get
    grid = {
        "action": action,
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-0-indicator": CELL["indicator"],
        "form-0-value": "12",
    }
    assert client.post(url, grid).status_code == page_post
    stored = Observation.objects.filter(year=2021)
    assert [o.status for o in stored] == ([pipeline.Action.STATUS[action]] if page_post == 302 else [])
    stored.delete()
    response = api_post(client, {**CELL, "value": 12, "action": action})
    assert response.status_code == api
    assert stored.count() == (1 if api == 201 else 0)


# role: expected status of approving from its page, from the review list, and by the API.
APPROVE = {
    "own_official": (403, 403, 403),
    "other_official": (404, 403, 404),
    "reviewer": (302, 302, 200),
    "leader": (404, 403, 403),  # a leader does not see a submitted figure
    "analyst": (403, 403, 403),
    "admin": (302, 302, 200),
}


def resubmitted(figure, reviewer):
    """After an approval: reopen the figure and have the district's official submit it again (four eyes: the
    reviewer never approves what he submitted), to try the next door."""
    figure = review.reopen(observation=figure, by=reviewer, comment="再审")
    return pipeline.record_value(
        by=official_for(figure.district),
        indicator=figure.indicator,
        district=figure.district,
        year=2021,
        value=12,
        action="submit",
        version=figure.version,
    )


@pytest.mark.parametrize("role", ROLES)
def test_approve(client, actor, fuzhou_figure, role):
    page, review_list, api = APPROVE[role]
    user = actor(role)
    client.force_login(user)
    figure = fuzhou_figure("submitted")

    body = {"one": f"approve-{figure.pk}", f"version-{figure.pk}": figure.version}
    assert client.post(reverse("figures:review"), body).status_code == review_list
    figure.refresh_from_db()
    assert (figure.status == "approved") == (review_list == 302)
    if figure.status == "approved":
        figure = resubmitted(figure, user)

    url = reverse("figures:observation-review", args=[figure.pk, "approve"])
    assert client.post(url, {"version": figure.version}).status_code == page
    figure.refresh_from_db()
    assert (figure.status == "approved") == (page == 302)
    if figure.status == "approved":
        figure = resubmitted(figure, user)

    response = api_post(client, {**CELL, "step": "approve", "version": figure.version}, "/api/observations/review/")
    assert response.status_code == api
    figure.refresh_from_db()
    assert (figure.status == "approved") == (api == 200)


# role: expected status of reopening from the figure's page and by the API.
REOPEN = {
    "own_official": (403, 403),
    "other_official": (404, 404),
    "reviewer": (302, 200),
    "leader": (403, 403),
    "analyst": (403, 403),
    "admin": (302, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_reopen(client, actor, fuzhou_figure, role):
    page, api = REOPEN[role]
    user = actor(role)
    figure = fuzhou_figure("approved")
    client.force_login(user)
    url = reverse("figures:observation-review", args=[figure.pk, "reopen"])
    assert client.post(url, {"version": figure.version, "comment": "数据有误"}).status_code == page
    figure.refresh_from_db()
    assert (figure.status == "returned") == (page == 302)
    if figure.status == "returned":
        figure = review.approve(observation=resubmitted_after_return(figure, user), by=user)
    body = {**CELL, "step": "reopen", "comment": "数据有误", "version": figure.version}
    assert api_post(client, body, "/api/observations/review/").status_code == api
    figure.refresh_from_db()
    assert (figure.status == "returned") == (api == 200)


def resubmitted_after_return(figure, user):
    return pipeline.record_value(
        by=official_for(figure.district),
        indicator=figure.indicator,
        district=figure.district,
        year=2021,
        value=12,
        action="submit",
        version=figure.version,
    )


# role: expected status of locking by page and by API (years belong to no district).
LOCK = {
    "own_official": (403, 403),
    "other_official": (403, 403),
    "reviewer": (302, 200),
    "leader": (403, 403),
    "analyst": (403, 403),
    "admin": (302, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_lock(client, actor, plan, role):
    page, api = LOCK[role]
    client.force_login(actor(role))
    assert client.get(reverse("figures:year-locks")).status_code == (200 if page == 302 else 403)
    assert client.post(reverse("figures:year-lock", args=[2021]), {"confirm": "1"}).status_code == page
    assert ReportingYear.objects.filter(plan=plan, year=2021, locked=True).exists() == (page == 302)
    assert api_post(client, {"locked": True}, "/api/years/2022/lock/").status_code == api
    assert ReportingYear.objects.filter(plan=plan, year=2022, locked=True).exists() == (api == 200)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("own_official", False), ("reviewer", True), ("leader", False), ("analyst", False), ("admin", True)],
)
def test_review_pages_are_for_reviewers(client, actor, role, allowed):
    client.force_login(actor(role))
    assert client.get(reverse("figures:review")).status_code == (200 if allowed else 403)
    # Leaders and analysts read who has not reported yet (without actions); officials do not.
    readers = allowed or role in ("leader", "analyst")
    assert client.get(reverse("figures:completeness")).status_code == (200 if readers else 403)


def test_the_menu_offers_each_role_its_own_pages(client, actor):
    expected = {
        "own_official": {"我的填报"},
        "reviewer": {"我的填报", "审核", "催报", "年度锁定"},
        "leader": {"催报"},
        "analyst": {"我的填报", "催报"},
    }
    for role, links in expected.items():
        client.force_login(actor(role))
        nav = client.get(f"{FJ}/").content.decode().split('class="main-nav"')[1]
        nav = nav.split("</nav>")[0]
        assert {name for name in ("我的填报", "审核", "催报", "年度锁定") if f">{name}<" in nav} == links


def test_an_official_lists_only_their_own_district_on_my_reporting(client, actor):
    client.force_login(actor("own_official"))
    page = client.get(reverse("figures:entry-index"))
    assert [district.code for district, _cells in page.context["rows"]] == ["350100"]


def test_anonymous_visitors_are_sent_to_login_and_api_callers_get_401(client, fuzhou_figure):
    figure = fuzhou_figure("submitted")
    for url in (
        reverse("figures:entry-index"),
        reverse("figures:review"),
        reverse("figures:observation-history", args=[figure.pk]),
        reverse("figures:year-locks"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert client.get("/api/observations/").status_code == 401


def test_an_official_changes_their_password_and_logs_out_on_chinese_pages(client, actor):
    official = actor("own_official")
    login_page = client.get(reverse("login")).content.decode()
    assert "用户名" in login_page and "密码" in login_page
    assert client.post(reverse("login"), {"username": "own", "password": PASSWORD}).status_code == 302

    form = client.get(reverse("password_change")).content.decode()
    assert "旧密码" in form and "新密码" in form
    changed = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "闽教-2025-填报", "new_password2": "闽教-2025-填报"},
        follow=True,
    )
    assert "密码已修改" in changed.content.decode()

    logged_out = client.post(reverse("logout"), follow=True)
    assert logged_out.redirect_chain[-1][0] == reverse("login")
    assert client.get(reverse("figures:entry-index")).status_code == 302
    official.refresh_from_db()
    assert official.check_password("闽教-2025-填报") and not official.check_password(PASSWORD)
