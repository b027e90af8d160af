"""Other systems read tasks and one district's standing from /api/tasks/ and /api/districts/<code>/."""

import hashlib

import pytest

from figures.models import ApiToken
from plans.models import Task
from tasks import services
from tasks.models import TaskStatus
from tests.story import approve

pytestmark = pytest.mark.django_db

# The API has no session to save: token user, its two permission lookups, then plan, province, Plan.assess with
# the list of linked indicators (4), tasks and their items, indicators, text targets and reports (5).
TASKS_QUERIES = 15  # and the default as-of year (2)
# Token user, two permission lookups, plan, the district, Plan.assess (3), the indicators and their targets (2).
DISTRICT_QUERIES = 12  # and the default as-of year (2)


@pytest.fixture
def token(analyst):
    ApiToken.objects.create(user=analyst, digest=hashlib.sha256(b"analyst-key").hexdigest())
    return {"HTTP_AUTHORIZATION": "Token analyst-key"}


def by_number(body, number):
    return next(t for t in body["tasks"] if t["number"] == number)


@pytest.mark.parametrize("url", ["/api/tasks/", "/api/districts/350100/"])
def test_anonymous_callers_get_401(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_tasks_come_with_items_indicators_text_targets_and_reports(client, token, reviewer, plan, district):
    services.save_task_report(
        task=Task.objects.get(plan=plan, number=9),
        year=2024,
        by=reviewer,
        status=TaskStatus.IN_PROGRESS,
        summary="名师培养对象已遴选。",
        evidence_links="https://jyt.fujian.gov.cn/a",
    )
    approve(plan, reviewer, district("province"), "renowned_principals", 2024, "50")

    body = client.get("/api/tasks/", **token).json()

    # No year has half of the pairs approved, so the default is the latest year with an approved figure.
    assert body["as_of"] == 2024
    assert [t["number"] for t in body["tasks"]] == list(range(1, 31))
    task = by_number(body, 9)
    assert task["title"] == "中小学名优教师（校长）培育" and task["needs_review"] is True
    assert len(task["items"]) == 3 and task["items"][0]["order"] == 1
    principals = next(i for i in task["indicators"] if i["code"] == "renowned_principals")
    assert principals == {
        "code": "renowned_principals",
        "name": "50名名校（园）长",
        "unit": "名",
        "section": "专栏7",
        "status": "achieved",
        "latest": {"year": 2024, "value": 50},
    }
    [report] = task["reports"]
    assert report["year"] == 2024 and report["status"] == "in_progress"
    assert report["summary"] == "名师培养对象已遴选。"
    assert report["evidence_links"] == ["https://jyt.fujian.gov.cn/a"] and report["evidence_file"] is None
    assert report["entered_by"] == "reviewer"
    assert report["entered_at"].endswith("+08:00")
    assert {t["code"] for t in by_number(body, 7)["text_targets"]} >= {"standard_special_ed_school_per_county_pop_200k"}


def test_tasks_as_of_an_earlier_year(client, token, reviewer, plan, district):
    approve(plan, reviewer, district("province"), "renowned_principals", 2024, "50")

    body = client.get("/api/tasks/", {"year": 2023}, **token).json()

    principals = next(i for i in by_number(body, 9)["indicators"] if i["code"] == "renowned_principals")
    assert body["as_of"] == 2023 and principals["status"] == "no_data" and principals["latest"] is None
    assert client.get("/api/tasks/", {"year": 2030}, **token).status_code == 404


def test_a_district_comes_with_its_targets_latest_values_and_statuses(client, token, reviewer, plan, district):
    approve(plan, reviewer, district("fuzhou"), "preschool_inclusive_inspection_counties", 2022, 1)
    approve(plan, reviewer, district("fuzhou"), "general_high_school_enrolment", 2022, "12.5")

    body = client.get("/api/districts/350100/", {"year": 2022}, **token).json()

    assert body["district"] == {"code": "350100", "name": "福州市", "short_name": "福州"}
    assert body["as_of"] == 2022
    indicators = {i["code"]: i for i in body["indicators"]}
    assert set(indicators) == {
        "preschool_inclusive_inspection_counties",
        "compulsory_quality_balanced_counties",
        "general_high_school_enrolment",
    }
    preschool = indicators["preschool_inclusive_inspection_counties"]
    assert preschool["cumulative"] is True
    assert preschool["baseline"] == {"year": 2020, "value": 0}  # a running count is judged from 0
    assert preschool["targets"] == [
        {"year": 2023, "value": 2, "upper": None, "operator": ""},
        {"year": 2025, "value": 8, "upper": None, "operator": ""},
    ]
    assert preschool["latest"] == {"year": 2022, "value": 1}
    assert preschool["status"] == "lagging"
    high_school = indicators["general_high_school_enrolment"]
    assert high_school["baseline"] == {"year": 2020, "value": 11.09}
    assert high_school["latest"] == {"year": 2022, "value": 12.5}
    assert isinstance(high_school["explanation"], str) and high_school["explanation"]
    assert indicators["compulsory_quality_balanced_counties"]["status"] == "no_data"


def test_the_province_carries_every_indicator_with_a_target(client, token, plan):
    body = client.get("/api/districts/350000/", **token).json()
    assert len(body["indicators"]) == plan.indicators.count()


def test_another_districts_standing_is_404_for_an_official(client, official_fuzhou):
    client.force_login(official_fuzhou)

    assert client.get("/api/districts/350100/").status_code == 200
    response = client.get("/api/districts/350200/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get("/api/districts/999999/").status_code == 404


def test_only_get_is_allowed(client, token):
    assert client.post("/api/tasks/", **token).status_code == 405
    assert client.post("/api/districts/350100/", **token).status_code == 405


def test_both_endpoints_need_a_bounded_number_of_queries(
    client, token, reviewer, plan, district, django_assert_max_num_queries
):
    with django_assert_max_num_queries(TASKS_QUERIES):
        assert client.get("/api/tasks/", **token).status_code == 200
    with django_assert_max_num_queries(DISTRICT_QUERIES):
        assert client.get("/api/districts/350000/", **token).status_code == 200

    province = district("province")
    for task in Task.objects.filter(plan=plan):
        for year in (2021, 2022, 2023, 2024, 2025):
            services.save_task_report(task=task, year=year, by=reviewer, status=TaskStatus.COMPLETED, summary="完成")
    for indicator in plan.indicators.all():
        for year in (2021, 2022, 2023, 2024):
            approve(plan, reviewer, province, indicator.code, year, indicator.targets.first().value)
    with django_assert_max_num_queries(TASKS_QUERIES):
        assert client.get("/api/tasks/", **token).status_code == 200
    with django_assert_max_num_queries(DISTRICT_QUERIES):
        assert client.get("/api/districts/350000/", **token).status_code == 200
