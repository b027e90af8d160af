"""Other systems read the plan from /api/plan/ as the contract in docs/api.md describes."""

import hashlib

import pytest
from django.core.management import call_command

from figures.models import ApiToken

pytestmark = pytest.mark.django_db


def test_anonymous_callers_get_401_not_a_login_redirect(client):
    response = client.get("/api/plan/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_plan_comes_with_districts_indicators_targets_baselines_and_tasks(client, leader):
    client.force_login(leader)
    body = client.get("/api/plan/").json()
    assert body["plan"]["document_number"] == "闽政办〔2021〕50号"
    assert body["plan"]["base_year"] == 2020
    assert body["districts"][0] == {"code": "350000", "name": "福建省", "short_name": "全省", "kind": "province"}
    assert len(body["districts"]) == 11
    indicators = {i["code"]: i for i in body["indicators"]}
    retention = indicators["compulsory_retention"]
    assert retention["targets"] == [{"district": "350000", "year": 2025, "value": 99, "upper": None, "operator": ">"}]
    assert retention["baselines"] == [{"district": "350000", "year": 2020, "value": 99.36}]
    high_school = indicators["general_high_school_enrolment"]
    assert {"district": "350128", "year": 2020, "value": 0.69} in high_school["baselines"]
    assert len(body["tasks"]) == 30
    assert body["tasks"][9]["number"] == 10 and body["tasks"][9]["items"] == []


def test_numbers_are_json_numbers(client, leader):
    client.force_login(leader)
    indicator = next(i for i in client.get("/api/plan/").json()["indicators"] if i["code"] == "putonghua_rate")
    assert isinstance(indicator["targets"][0]["value"], int)
    assert isinstance(indicator["baselines"][0]["value"], float)


def test_a_per_user_token_authenticates_other_systems(client, analyst):
    ApiToken.objects.create(user=analyst, digest=hashlib.sha256(b"secret-key").hexdigest())
    assert client.get("/api/plan/", HTTP_AUTHORIZATION="Token secret-key").status_code == 200
    assert client.get("/api/plan/", HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_the_plan_api_makes_a_fixed_number_of_queries(client, leader, django_assert_max_num_queries):
    client.force_login(leader)
    # session + user, the session's expiry refresh (3), plan, districts, indicators, targets, baselines, tasks, items
    with django_assert_max_num_queries(12):
        assert client.get("/api/plan/").status_code == 200


def test_an_administrator_issues_a_token_that_is_shown_once(client, analyst, capsys):
    call_command("create_api_token", "analyst")
    key = capsys.readouterr().out.strip()
    assert client.get("/api/plan/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert ApiToken.objects.get(user=analyst).digest != key
