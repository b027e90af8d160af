"""Every number planboard accepts it stores and gives back exactly, on SQLite (which keeps 15 significant digits)
and PostgreSQL; a number beyond that is refused with a message naming the field, and a stored extreme figure
breaks no page."""

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from figures import standings
from figures.models import Observation, ObservationStatus
from plans.models import District
from tests.conftest import FJ

pytestmark = pytest.mark.django_db

RATIO = "social_training_ratio_to_fulltime_students"  # 倍, no upper bound in the plan data
PROVINCE = "350000"
LARGEST = Decimal("99999999999.9999")  # 15 digits: the most SQLite keeps


def post(client, body):
    return client.post("/api/observations/", json.dumps(body), content_type="application/json")


def cell(value, **fields):
    return {"indicator": RATIO, "district": PROVINCE, "year": 2024, "value": value, **fields}


def pages(plan):
    """Every page that shows the 2024 figure of the ratio in some way."""
    figure = Observation.objects.get(indicator__code=RATIO, year=2024)
    return [
        "/api/observations/?year=2024",
        "/api/progress/",
        "/api/districts/350000/",
        f"{FJ}/",
        f"{FJ}/indicators/{RATIO}/",
        f"{FJ}/districts/{PROVINCE}/",
        f"{FJ}/overview/",
        f"{FJ}/review/",
        f"{FJ}/review/completeness/",
        f"{FJ}/report/{PROVINCE}/2024/",
        f"{FJ}/report/{PROVINCE}/2025/",
        f"{FJ}/import/template.xlsx?district={PROVINCE}&year=2024",
        f"{FJ}/export/report.xlsx?year=2024",
        f"{FJ}/export/evaluation.docx?year=2024",
        f"{FJ}/observations/{figure.pk}/history/",
        f"{FJ}/key-projects/",
        f"{FJ}/tasks/",
    ]


def test_the_value_the_attacker_used_is_refused_naming_the_value_and_the_limit(client, official_province):
    client.force_login(official_province)
    response = post(client, cell("99999999999999.99", confirm=True, note="测试"))
    assert response.status_code == 400
    assert "100000000000" in response.json()["errors"]["value"][0]
    assert not Observation.objects.filter(indicator__code=RATIO).exists()


def test_the_largest_figure_comes_back_exactly_and_every_page_shows_it(
    client, official_province, reviewer, analyst, plan
):
    value = LARGEST
    client.force_login(official_province)
    created = post(client, cell(str(value), note="测试", reason="测试", measures="测试", action="submit"))
    assert created.status_code == 201, created.content
    assert Decimal(str(created.json()["value"])) == value
    assert Observation.objects.get(indicator__code=RATIO, year=2024).value == value

    answers = {url: [] for url in pages(plan)}
    for user in (official_province, reviewer, analyst):
        client.force_login(user)
        for url, codes in answers.items():
            codes.append(client.get(url).status_code)
    assert {url: codes for url, codes in answers.items() if 200 not in codes or max(codes) >= 500} == {}
    read = client.get("/api/observations/", {"indicator": RATIO, "year": 2024}).json()["observations"][0]
    assert Decimal(str(read["value"])) == value


@pytest.mark.parametrize("extreme", [LARGEST, Decimal("0.0001"), Decimal("0")])
def test_no_page_fails_on_an_extreme_figure_stored_for_every_indicator(client, reviewer, plan, extreme):
    """Whatever a stored figure is (here written around the doors, for every indicator, rates included), the read
    pages and the reports show it."""
    province = District.objects.province()
    for indicator in plan.indicators.all():
        Observation.objects.update_or_create(
            indicator=indicator,
            district=province,
            year=2024,
            defaults={
                "value": extreme,
                "status": ObservationStatus.APPROVED,
                "entered_by": reviewer,
                "entered_at": timezone.now(),
                "approved_by": reviewer,
                "approved_at": timezone.now(),
            },
        )
    standings.refresh(plan)
    client.force_login(reviewer)
    urls = [
        f"{FJ}/?year=2024",
        f"{FJ}/overview/?year=2024",
        f"{FJ}/districts/{PROVINCE}/?year=2024",
        *(f"{FJ}/indicators/{i.code}/?year=2024" for i in plan.indicators.all()[:15]),
        "/api/progress/?year=2024",
        f"{FJ}/export/report.xlsx?year=2024",
        f"{FJ}/export/evaluation.docx?year=2024",
        f"{FJ}/tasks/?year=2024",
        f"{FJ}/key-projects/?year=2024",
        f"{FJ}/district-targets/?year=2024",
    ]
    assert {url: status for url in urls if (status := client.get(url).status_code) != 200} == {}
