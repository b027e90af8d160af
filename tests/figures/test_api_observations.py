"""Another system (or a script) writes and reads figures through /api/observations/, by the same rules
as the entry grid, with the status codes of docs/api.md."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from figures import review
from figures.models import Observation, ReportingYear

pytestmark = pytest.mark.django_db

URL = "/api/observations/"
CELL = {"indicator": "general_high_school_enrolment", "district": "350100", "year": 2021}


@pytest.fixture
def token_for(capsys):
    def make(user):
        call_command("create_api_token", user.username)
        return capsys.readouterr().out.split()[-1]

    return make


def post(client, body, path=URL, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_an_official_creates_a_draft_then_submits_it_with_the_version_read(client, official_fuzhou):
    client.force_login(official_fuzhou)
    created = post(client, {**CELL, "value": 12.1, "note": "", "source": "年鉴", "action": "save"})
    assert created.status_code == 201
    body = created.json()
    assert {k: body[k] for k in ("indicator", "district", "year", "value", "status", "version", "source")} == {
        **CELL,
        "value": 12.1,
        "status": "draft",
        "version": 1,
        "source": "年鉴",
    }
    assert body["entered_by"] == "official_fuzhou" and body["entered_at"].endswith("+08:00")

    submitted = post(client, {**CELL, "value": "12.1", "action": "submit", "version": 1})
    assert submitted.status_code == 200
    assert (submitted.json()["status"], submitted.json()["version"]) == ("submitted", 2)


def test_invalid_input_is_400_with_field_errors_in_chinese(client, official_fuzhou):
    client.force_login(official_fuzhou)
    response = post(client, {**CELL, "value": "abc"})
    assert response.status_code == 400
    assert "“abc”不是数字" in response.json()["errors"]["value"][0]
    assert "年份" in post(client, {**CELL, "year": 2030, "value": 12}).json()["errors"]["year"][0]
    assert "indicator" in post(client, {**CELL, "indicator": "nope", "value": 12}).json()["errors"]
    assert post(client, {**CELL, "value": 12, "action": "publish"}).json()["errors"].keys() == {"action"}
    assert not Observation.objects.filter(year=2021).exists()


def test_a_large_move_needs_confirm_and_a_note_in_the_api_too(client, official_fuzhou):
    client.force_login(official_fuzhou)
    assert "confirm" in post(client, {**CELL, "value": 14}).json()["errors"]
    assert "note" in post(client, {**CELL, "value": 14, "confirm": True}).json()["errors"]
    kept = post(client, {**CELL, "value": 14, "confirm": True, "note": "新建高中"}).json()
    assert (kept["confirmed_large_move"], kept["note"]) == (True, "新建高中")


def test_a_lagging_submission_needs_reason_and_measures(client, official_fuzhou):
    client.force_login(official_fuzhou)
    errors = post(client, {**CELL, "value": 11.2, "action": "submit"}).json()["errors"]
    assert errors.keys() == {"reason", "measures"}
    ok = post(client, {**CELL, "value": 11.2, "action": "submit", "reason": "生源外流", "measures": "扩招"})
    assert ok.status_code == 201 and ok.json()["reason"] == "生源外流"


def test_another_districts_cell_is_404_and_a_leader_is_403(client, official_xiamen, leader):
    client.force_login(official_xiamen)
    response = post(client, {**CELL, "value": 12})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    client.force_login(leader)
    assert post(client, {**CELL, "value": 12}).status_code == 403
    assert not Observation.objects.filter(year=2021).exists()


def test_a_stale_or_missing_version_is_409_showing_the_other_change(client, official_fuzhou, make_user):
    colleague = make_user("colleague", "填报员", districts=["fuzhou"])
    client.force_login(colleague)
    post(client, {**CELL, "value": 12})
    post(client, {**CELL, "value": 12.2, "version": 1})
    client.force_login(official_fuzhou)
    for version in (None, 1):
        response = post(client, {**CELL, "value": 12.5, "version": version})
        assert response.status_code == 409
        message = response.json()["error"]["message"]
        assert "colleague" in message and "12.2" in message and "版本 2" in message
    assert Observation.objects.get(year=2021).value == Decimal("12.2")


def test_a_locked_year_is_409(client, official_fuzhou, plan):
    ReportingYear.objects.create(plan=plan, year=2021, locked=True)
    client.force_login(official_fuzhou)
    response = post(client, {**CELL, "value": 12})
    assert response.status_code == 409 and "已锁定" in response.json()["error"]["message"]


def test_a_token_caller_writes_without_csrf_and_a_session_caller_needs_it(official_fuzhou, token_for):
    from django.test import Client

    token = token_for(official_fuzhou)
    client = Client(enforce_csrf_checks=True)
    assert post(client, {**CELL, "value": 12}, HTTP_AUTHORIZATION=f"Token {token}").status_code == 201
    client.force_login(official_fuzhou)
    assert post(client, {**CELL, "value": 12.1, "version": 1}).status_code == 403
    assert post(Client(), {**CELL, "value": 12}).status_code == 401


def test_listing_shows_only_what_the_caller_may_see(client, official_fuzhou, official_xiamen, leader, reviewer):
    client.force_login(official_fuzhou)
    post(client, {**CELL, "value": 12})
    client.force_login(official_xiamen)
    post(client, {**CELL, "district": "350200", "value": 6.5, "action": "submit"})
    review.approve(observation=Observation.objects.get(district__code="350200", year=2021), by=reviewer)

    def listed(user, **query):
        client.force_login(user)
        response = client.get(URL, {"year": 2021, **query})
        assert response.status_code == 200
        return [(o["district"], o["status"], o["version"]) for o in response.json()["observations"]]

    assert listed(official_fuzhou) == [("350100", "draft", 1)]
    assert listed(official_xiamen) == [("350200", "approved", 2)]
    assert listed(leader) == [("350200", "approved", 2)]  # drafts stay with their district and the reviewers
    assert listed(reviewer) == [("350100", "draft", 1), ("350200", "approved", 2)]
    assert listed(reviewer, district="350200", indicator=CELL["indicator"]) == [("350200", "approved", 2)]
    client.force_login(official_fuzhou)
    assert client.get(URL, {"district": "350200"}).status_code == 404
    assert client.get(URL, {"year": "x"}).json()["errors"].keys() == {"year"}


def test_the_list_needs_the_same_queries_with_many_figures(client, reviewer, django_assert_max_num_queries):
    client.force_login(reviewer)
    with django_assert_max_num_queries(10) as few:  # token or session, user, 2 permissions, plan, the rows
        client.get(URL)
    call_command("load_demo", verbosity=0)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(URL).json()["observations"]) > 300


def test_a_reviewer_approves_returns_and_reopens_through_the_api(client, official_fuzhou, reviewer, plan):
    client.force_login(official_fuzhou)
    post(client, {**CELL, "value": 12, "action": "submit"})
    client.force_login(reviewer)
    review = "/api/observations/review/"
    assert post(client, {**CELL, "step": "return", "version": 1}, path=review).json()["errors"].keys() == {"comment"}
    assert post(client, {**CELL, "step": "approve"}, path=review).json()["errors"].keys() == {"version"}
    assert post(client, {**CELL, "step": "publish", "version": 1}, path=review).status_code == 400
    assert post(client, {**CELL, "step": "approve", "version": 0}, path=review).status_code == 409
    approved = post(client, {**CELL, "step": "approve", "version": 1}, path=review)
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["approved_by"]) == ("approved", "reviewer")
    reopened = post(client, {**CELL, "step": "reopen", "version": 2, "comment": "口径有误"}, path=review).json()
    assert (reopened["status"], reopened["review_comment"], reopened["version"]) == ("returned", "口径有误", 3)
    assert post(client, {**CELL, "year": 2022, "step": "approve", "version": 1}, path=review).status_code == 404

    locked = post(client, {"locked": True}, path="/api/years/2021/lock/")
    assert (locked.status_code, locked.json()["locked"], locked.json()["locked_by"]) == (200, True, "reviewer")
    assert post(client, {**CELL, "step": "reopen", "version": 3, "comment": "x"}, path=review).status_code == 409
    assert post(client, {"locked": "yes"}, path="/api/years/2021/lock/").status_code == 400
    assert post(client, {"locked": False}, path="/api/years/2021/lock/").json()["locked"] is False
    assert post(client, {"locked": True}, path="/api/years/2031/lock/").status_code == 400
