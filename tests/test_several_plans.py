"""Two plans side by side: Fujian's 十四五 plan (2020–2025) and a 2025–2030 plan an administrator uploads as a
workbook. Each plan's pages live under /plans/<code>/; the old addresses lead to the current plan, which an
administrator chooses; a plan whose final year is locked is read-only and stays browsable."""

import io
import json
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from figures import pipeline, review
from figures.models import Observation
from planboard import roles
from plans import workbook
from plans.models import Plan
from tests import story
from tests.conftest import FUJIAN
from tests.figures.test_plan_workbook_pages import small_plan

pytestmark = pytest.mark.django_db

NEXT = "next-plan"


@pytest.fixture
def planner(make_user):
    return make_user("planner", roles.ADMINISTRATOR)


@pytest.fixture
def next_plan(client, planner, plan):
    """The administrator uploads the 2025–2030 plan's workbook, checks the preview and confirms it."""
    client.force_login(planner)
    data = SimpleUploadedFile("next.xlsx", workbook.write_workbook(small_plan()))
    assert client.post(reverse("plans:workbook"), {"file": data}).status_code == 302
    assert client.post(reverse("plans:workbook-confirm")).status_code == 302
    client.logout()
    return Plan.objects.get(code=NEXT)


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_both_plans_answer_under_their_own_addresses(client, reviewer, next_plan):
    client.force_login(reviewer)
    fujian = html(client.get(f"/plans/{FUJIAN}/"))
    assert "《福建省“十四五”教育发展专项规划》" in fujian and "2021–2025" in fujian
    assert "九年义务教育巩固率" in fujian
    upcoming = html(client.get(f"/plans/{NEXT}/"))
    assert "《“十五五”教育发展规划（试）》" in upcoming and "2026–2030" in upcoming
    assert "学前教育毛入园率" in upcoming and "九年义务教育巩固率" not in upcoming
    # Links on a plan's page stay in that plan.
    assert f'href="/plans/{NEXT}/tasks/"' in upcoming and f'href="/plans/{FUJIAN}/tasks/"' not in upcoming
    assert html(client.get(f"/plans/{NEXT}/indicators/putonghua_rate/")).count("普通话普及率") >= 1
    assert client.get(f"/plans/{NEXT}/tasks/1/").status_code == 404  # the new plan has no tasks yet
    assert client.get("/plans/no-such-plan/").status_code == 404


def test_loading_a_new_plan_leaves_the_current_one_current(client, reviewer, next_plan):
    # The first plan loaded into the empty database became current by itself; the next one does not.
    assert Plan.objects.get(code=FUJIAN).is_current and not next_plan.is_current
    client.force_login(reviewer)
    response = client.get("/review/?year=2023&district=350100")
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{FUJIAN}/review/?year=2023&district=350100"


def test_the_administrator_makes_the_new_plan_current_and_old_addresses_follow(client, make_user, next_plan):
    root = make_user("root", superuser=True)
    client.force_login(root)
    changelist = reverse("admin:plans_plan_changelist")
    response = client.post(changelist, {"action": "make_current", "_selected_action": [next_plan.pk]}, follow=True)
    assert "当前规划已改为“十五五”教育发展规划（试）。" in html(response)
    assert list(Plan.objects.filter(is_current=True).values_list("code", flat=True)) == [NEXT]
    assert client.get("/").headers["Location"] == f"/plans/{NEXT}/"
    assert client.get("/indicators/putonghua_rate/").headers["Location"] == f"/plans/{NEXT}/indicators/putonghua_rate/"
    # A page outside any plan heads with the current plan.
    assert "《“十五五”教育发展规划（试）》" in html(client.get(reverse("password_change")))
    # The Fujian plan stays where it was.
    assert "2021–2025" in html(client.get(f"/plans/{FUJIAN}/overview/"))


def test_the_switcher_lists_both_plans_and_goes_to_the_same_page_in_the_other(client, reviewer, next_plan):
    client.force_login(reviewer)
    page = html(client.get(f"/plans/{FUJIAN}/indicators/higher_ed_gross_enrolment/"))
    assert f'<option value="{FUJIAN}" selected>福建省“十四五”教育发展专项规划 2021–2025 （当前规划）</option>' in page
    assert f'<option value="{NEXT}">“十五五”教育发展规划（试） 2026–2030</option>' in page

    def switch(to, page):
        response = client.get(reverse("switch-plan"), {"to": to, "next": page})
        assert response.status_code == 302
        return response["Location"]

    # The same indicator in the other plan, the same list, or the plan's dashboard when the page has no match.
    fujian_indicator = f"/plans/{FUJIAN}/indicators/higher_ed_gross_enrolment/"
    assert switch(NEXT, fujian_indicator) == f"/plans/{NEXT}/indicators/higher_ed_gross_enrolment/"
    assert switch(NEXT, f"/plans/{FUJIAN}/review/") == f"/plans/{NEXT}/review/"
    assert switch(NEXT, f"/plans/{FUJIAN}/indicators/compulsory_retention/") == f"/plans/{NEXT}/"
    assert switch(NEXT, f"/plans/{FUJIAN}/tasks/3/") == f"/plans/{NEXT}/"
    assert switch(FUJIAN, f"/plans/{NEXT}/tasks/") == f"/plans/{FUJIAN}/tasks/"
    assert switch(FUJIAN, "https://elsewhere.example/") == f"/plans/{FUJIAN}/"
    assert client.get(reverse("switch-plan"), {"to": "nope", "next": "/"}).status_code == 404


def test_a_plan_whose_final_year_is_locked_is_read_only_but_browsable(
    client, reviewer, official_fuzhou, next_plan, plan
):
    story.close_plan(plan, by=reviewer)
    client.force_login(official_fuzhou)
    cell = {"indicator": "general_high_school_enrolment", "district": "350100", "year": 2022, "value": 12}
    refused = post_json(client, f"/api/observations/?plan={FUJIAN}", cell)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "conflict"
    assert "目标年度（2025年）已锁定，规划已结束" in refused.json()["error"]["message"]
    assert not Observation.objects.filter(indicator__plan=plan, district__code="350100", year=2022).exists()

    page = html(client.get(f"/plans/{FUJIAN}/"))
    assert "规划已结束，数据只能查看，不能再修改。" in page
    assert "我的填报" not in page and "Excel导入" not in page
    grid = html(client.get(f"/plans/{FUJIAN}/report/350100/2022/"))
    assert "提交审核" not in grid and "规划已结束" in grid
    response = client.post(f"/plans/{FUJIAN}/report/350100/2022/", {"action": "save"}, follow=True)
    assert "规划已结束" in html(response)

    # The next plan takes figures as before.
    welcome = html(client.get(f"/plans/{NEXT}/"))
    assert "我的填报" in welcome and "规划已结束" not in welcome
    cell = {"indicator": "putonghua_rate", "district": "350000", "year": 2026, "value": 82}
    client.force_login(reviewer)
    assert post_json(client, f"/api/observations/?plan={NEXT}", cell).status_code == 201


def test_a_reviewer_cannot_approve_in_a_closed_plan(reviewer, official_fuzhou, plan):
    figure = pipeline.record_value(
        by=official_fuzhou,
        indicator=plan.indicators.get(code="general_high_school_enrolment"),
        district=official_fuzhou.districts.get(),
        year=2022,
        value="12.1",
        action="submit",
        confirm=True,
        note="核对过",
        reason="生源变化",
        measures="扩大招生",
    )
    story.close_plan(plan, by=reviewer)
    with pytest.raises(pipeline.Conflict, match="规划已结束"):
        review.approve(observation=figure, by=reviewer, version=figure.version)


def test_the_api_answers_for_either_plan(client, reviewer, next_plan):
    client.force_login(reviewer)
    assert client.get("/api/plan/").json()["plan"]["code"] == FUJIAN
    body = client.get("/api/plan/", {"plan": NEXT}).json()
    assert (body["plan"]["code"], body["plan"]["target_year"], len(body["indicators"])) == (NEXT, 2030, 3)
    progress = client.get("/api/progress/", {"plan": NEXT, "district": "350000"}).json()
    assert {row["code"] for row in progress["indicators"]} == {
        "higher_ed_gross_enrolment",
        "preschool_gross_enrolment",
        "putonghua_rate",
    }
    listed = client.get("/api/observations/", {"plan": NEXT}).json()
    assert listed["count"] == 3 and {o["year"] for o in listed["observations"]} == {2025}
    missing = client.get("/api/plan/", {"plan": "nope"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_the_excel_report_and_the_commands_export_either_plan(client, reviewer, next_plan, tmp_path):
    client.force_login(reviewer)
    assert "“十五五”教育发展规划（试）" in html(client.get(f"/plans/{NEXT}/export/"))
    response = client.get(f"/plans/{NEXT}/export/report.xlsx", {"year": 2026})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "“十五五”教育发展规划（试）" in str(book.worksheets[0]["A1"].value)
    out = tmp_path / "next.xlsx"
    call_command("export_report", str(out), "--plan", NEXT, "--year", "2026", stdout=io.StringIO())
    assert "“十五五”教育发展规划（试）" in str(load_workbook(out).worksheets[0]["A1"].value)
    call_command("export_report", str(out), "--year", "2024", stdout=io.StringIO())
    assert "福建省“十四五”教育发展专项规划" in str(load_workbook(out).worksheets[0]["A1"].value)


def test_administrators_find_the_workbook_and_the_review_list_in_the_menu(client, planner, reviewer, plan):
    client.force_login(planner)
    page = html(client.get(f"/plans/{FUJIAN}/"))
    assert 'href="/plans/workbook/"' in page and f'href="/plans/{FUJIAN}/review-flags/"' in page
    client.force_login(reviewer)
    assert 'href="/plans/workbook/"' not in html(client.get(f"/plans/{FUJIAN}/"))


def test_a_plan_page_costs_one_query_to_find_its_plan(client, reviewer, next_plan):
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as counted:
        client.get(f"/plans/{NEXT}/tasks/")
    plan_queries = [q["sql"] for q in counted.captured_queries if 'FROM "indicators_plan"' in q["sql"]]
    assert len(plan_queries) == 1


def test_the_database_holds_one_current_plan_at_most(next_plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=next_plan.pk).update(is_current=True)


def test_an_existing_database_keeps_showing_the_plan_it_showed(next_plan):
    """Before the flag, every page showed the plan with the latest base year: the migration makes it current."""
    Plan.objects.update(is_current=False)
    import_module("plans.migrations.0005_plan_is_current").mark_current(django_apps, None)
    assert Plan.objects.get(is_current=True) == next_plan
