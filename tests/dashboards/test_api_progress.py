"""Another system asks GET /api/progress/ where each indicator of a district stands."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from plans.models import Indicator, Target
from tests.story import approve

pytestmark = pytest.mark.django_db

URL = "/api/progress/"


def entry(response, code):
    return next(i for i in response.json()["indicators"] if i["code"] == code)


def test_the_url_is_the_documented_one():
    assert reverse("dashboards:api-progress") == URL


def test_an_anonymous_caller_gets_401_not_a_login_page(client):
    response = client.get(URL)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_leader_gets_every_indicator_of_the_province_as_of_the_latest_year(client, leader, plan, reviewer, district):
    # 高等教育毛入学率: 57.88 in 2020, 65 by 2025. The path expects 57.88 + 7.12 * 3/5 = 62.152 in 2023;
    # 62 is 4.12 / 4.272 = 0.9644 of the way it should have come: on track.
    approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2022, "60")
    approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2023, "62")
    client.force_login(leader)

    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["district"] == {"code": "350000", "name": "福建省", "short_name": "全省"}
    assert body["year"] == 2023
    with_targets = set(Target.objects.values_list("indicator__code", flat=True))
    assert {i["code"] for i in body["indicators"]} == with_targets
    higher = entry(response, "higher_ed_gross_enrolment")
    assert higher["name"] == "高等教育毛入学率" and higher["unit"] == "%"
    assert higher["baseline"] == {"year": 2020, "value": 57.88}
    assert higher["latest"] == {"year": 2023, "value": 62}
    assert higher["targets"] == [{"year": 2025, "value": 65, "upper": None, "operator": ""}]
    assert higher["final_target"] == {"year": 2025, "value": 65, "operator": ""}
    assert higher["expected"] == pytest.approx(62.152)
    assert higher["ratio"] == pytest.approx(0.9644, abs=1e-4)
    assert higher["status"] == "on_track" and higher["status_label"] == "符合预期"
    assert higher["explanation"] == "2023年实际值62.00，按进度应达62.15，符合预期"
    # The least-squares line through (2020, 57.88), (2022, 60), (2023, 62) rises 6.2 / 4.667 = 1.3286 a year
    # from (2021.67, 59.96), reaching 64.39 in 2025: short of 65.
    assert higher["projected"]["year"] == 2025 and higher["projected"]["met"] is False
    assert higher["projected"]["value"] == pytest.approx(64.389, abs=1e-3)


def test_missing_numbers_are_null_and_a_year_can_be_asked_for(client, leader, plan, reviewer, district):
    approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2023, "62")
    client.force_login(leader)

    higher = entry(client.get(URL, {"year": 2022}), "higher_ed_gross_enrolment")

    assert higher["status"] == "no_data"
    assert higher["latest"] is None and higher["expected"] is None and higher["ratio"] is None
    assert higher["projected"] is None
    assert higher["baseline"] == {"year": 2020, "value": 57.88}


def test_a_city_lists_indicators_without_its_own_targets_as_no_target(client, leader, plan, reviewer, district):
    approve(plan, reviewer, district("fuzhou"), "general_high_school_enrolment", 2022, "12.9")
    client.force_login(leader)

    response = client.get(URL, {"district": "350100", "year": 2022})

    body = response.json()
    fuzhou = set(Target.objects.filter(district__code="350100").values_list("indicator__code", flat=True))
    assert len(fuzhou) == 3
    for item in body["indicators"]:
        if item["code"] in fuzhou:
            assert item["targets"] and item["final_target"] is not None
        else:
            assert item["status"] == "no_target" and item["targets"] == [] and item["final_target"] is None
    enrolment = entry(response, "general_high_school_enrolment")
    # 福州 普通高中在校生: 11.09 in 2020, 13.83 by 2023, so 12.9167 expected in 2022.
    assert enrolment["status"] == "on_track"
    assert enrolment["expected"] == pytest.approx(12.9167, abs=1e-4)


def test_section_narrows_the_list(client, leader, plan):
    client.force_login(leader)

    body = client.get(URL, {"section": "专栏1"}).json()

    expected = set(
        Indicator.objects.filter(section="专栏1", targets__isnull=False).values_list("code", flat=True).distinct()
    )
    assert {i["code"] for i in body["indicators"]} == expected
    assert body["section"] == "专栏1"
    assert {i["section"] for i in body["indicators"]} == {"专栏1"}


def test_a_bad_year_is_400_naming_the_field(client, leader):
    client.force_login(leader)

    for year in ("2019", "2026", "next"):
        response = client.get(URL, {"year": year})
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["year"]


def test_an_official_gets_his_own_district_and_404_for_another(client, official_fuzhou):
    client.force_login(official_fuzhou)

    assert client.get(URL).json()["district"]["code"] == "350100"
    assert client.get(URL, {"district": "350200"}).status_code == 404
    assert client.get(URL, {"district": "350000"}).status_code == 404


def test_a_token_caller_is_served_too(client, leader):
    out = io.StringIO()
    call_command("create_api_token", "leader", stdout=out)
    key = out.getvalue().strip()

    response = client.get(URL, headers={"Authorization": f"Token {key}"})

    assert response.status_code == 200


@pytest.mark.parametrize("demo", [False, True], ids=["no figures", "demo figures"])
def test_the_queries_stay_the_same_whatever_the_data(client, leader, django_assert_max_num_queries, demo):
    if demo:
        call_command("load_demo", verbosity=0)
    client.force_login(leader)

    # session, user, two permission lookups, the session's save (savepoint, update, release), then plan,
    # districts, default year, the indicators with targets, the district's targets, indicators and
    # Plan.assess's three.
    with django_assert_max_num_queries(18):  # the default year takes two queries, the data version one
        assert client.get(URL).status_code == 200
