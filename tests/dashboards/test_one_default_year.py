"""Every page, the API and the export start from the same as-of year: the latest year that half of the plan's
(indicator, district) pairs with targets have reached, not the year of one early figure; and the dashboard
lists first what needs a leader's eye (预警)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from plans import progress
from plans.models import Attribute
from tests.exports.test_export_report import overview_lines
from tests.story import approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def late_2026(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2026, 11, 29))


@pytest.fixture
def demo_and_one_fuzhou_2025_figure(plan, reviewer, district, late_2026):
    call_command("load_demo", verbosity=0)
    approve(plan, reviewer, district("fuzhou"), "general_high_school_enrolment", 2025, "14.1")


def test_one_early_figure_does_not_move_everyones_year(client, leader, demo_and_one_fuzhou_2025_figure):
    client.force_login(leader)

    dashboard = client.get(reverse("dashboards:dashboard")).content.decode()
    api = client.get(reverse("dashboards:api-progress")).json()
    tasks = client.get("/api/tasks/").json()
    district_targets = client.get(reverse("tasks:district-targets"))
    report = client.get(reverse("exports:export-report"))

    assert '<option value="2024" selected>' in dashboard
    assert "2025年已审核 1/" in dashboard
    assert api["year"] == 2024 and tasks["as_of"] == 2024
    assert district_targets.context["year"] == 2024
    assert "2024年报表" in report.headers["Content-Disposition"].encode("latin-1").decode("utf-8", "replace") or (
        "2024%E5%B9%B4" in report.headers["Content-Disposition"]
    )


def test_with_no_year_half_reported_the_latest_year_with_a_figure_is_the_default(
    client, leader, plan, reviewer, district, late_2026
):
    approve(plan, reviewer, district("fuzhou"), "general_high_school_enrolment", 2022, "12.9")
    client.force_login(leader)

    assert client.get(reverse("dashboards:api-progress")).json()["year"] == 2022


def test_without_figures_the_default_is_the_first_plan_year(client, leader, late_2026):
    client.force_login(leader)

    assert client.get(reverse("dashboards:api-progress")).json()["year"] == 2021


def test_a_binding_indicator_behind_is_listed_as_a_warning(client, leader, plan, reviewer, district, late_2026):
    # 双师型教师比例: 63.05 in 2020, ≥70 by 2023; 69.5 in 2023 misses the milestone -> 滞后 (rule 6).
    indicator = plan.indicators.get(code="dual_qualified_teacher_share")
    indicator.attribute = Attribute.BINDING
    indicator.save()
    approve(plan, reviewer, district("province"), indicator.code, 2023, "69.5")
    client.force_login(leader)

    page = client.get(reverse("dashboards:dashboard"), {"year": 2023}).content.decode()
    api = client.get(reverse("dashboards:api-progress"), {"year": 2023}).json()

    warnings = page[page.index('id="warnings-title"') :]
    assert f'data-indicator="{indicator.code}"' in warnings
    row = next(i for i in api["indicators"] if i["code"] == indicator.code)
    assert row["status"] == "lagging" and row["warning"] is True


def test_an_indicator_without_attribute_shows_it_unfilled(client, leader, plan):
    client.force_login(leader)

    page = client.get(reverse("dashboards:indicator", args=["higher_ed_gross_enrolment"])).content.decode()

    assert "属性：未填写" in page


def test_every_page_the_api_and_the_exports_agree_on_every_status(client, leader, demo_and_one_fuzhou_2025_figure):
    client.force_login(leader)
    dashboard = client.get(reverse("dashboards:dashboard")).context
    year = dashboard["year"]
    api = {row["code"]: row["status"] for row in client.get(reverse("dashboards:api-progress")).json()["indicators"]}
    response = client.get(reverse("exports:export-report"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    excel = {name: line["状态"].value for name, line in overview_lines(workbook).items()}
    table = client.get(reverse("tasks:district-targets")).context

    assert year == 2024 and table["year"] == year and workbook["总览"]["B3"].value == year
    for row in dashboard["rows"]:
        assert excel[row.indicator.name] == progress.STATUS_LABELS[row.status], row.indicator.code
        if row.indicator.code in api:
            assert api[row.indicator.code] == row.status, row.indicator.code
    for district, cells in table["rows"]:
        by_code = {
            row["code"]: row["status"]
            for row in client.get(reverse("dashboards:api-progress"), {"district": district.code}).json()["indicators"]
        }
        for cell in cells:
            if cell.assessment is not None:
                assert cell.status == by_code[cell.indicator.code], (district.code, cell.indicator.code)
