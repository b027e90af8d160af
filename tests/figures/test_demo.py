"""Demo figures show the app, are always marked, and come out again without touching real figures."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from figures import sum_checks, validation
from figures.models import DEMO_SOURCE, Observation
from plans import progress
from plans.models import District, Target
from tests.conftest import FJ
from tests.story import approve

pytestmark = pytest.mark.django_db


def test_demo_figures_are_flagged_and_sourced_as_demo(plan):
    call_command("load_demo")
    demo = Observation.objects.filter(is_demo=True)
    assert demo.count() > 200
    assert set(demo.values_list("source", flat=True)) == {DEMO_SOURCE}
    assert set(demo.values_list("year", flat=True)) == {2021, 2022, 2023, 2024}
    assert not Observation.objects.filter(is_demo=False, year__gt=2020).exists()


def test_every_page_warns_while_demo_figures_exist(client, leader):
    client.force_login(leader)
    assert "演示数据" not in client.get(f"{FJ}/").content.decode()
    call_command("load_demo")
    assert "演示数据" in client.get(f"{FJ}/").content.decode()
    call_command("load_demo", "--remove")
    assert "演示数据" not in client.get(f"{FJ}/").content.decode()


def test_removing_demo_data_keeps_real_figures_and_never_overwrites_them(plan, reviewer, district):
    real = approve(plan, reviewer, district("province"), "putonghua_rate", 2021, "90.5", source="统计公报")
    call_command("load_demo")
    real.refresh_from_db()
    assert (real.value, real.is_demo, real.source) == (90.5, False, "统计公报")
    call_command("load_demo", "--remove")
    assert not Observation.objects.filter(is_demo=True).exists()
    assert Observation.objects.filter(pk=real.pk).exists()
    assert Observation.objects.filter(year=2020).count() == 25


def test_loading_the_demo_twice_writes_nothing_new(plan):
    call_command("load_demo")
    history = Observation.history.count()
    call_command("load_demo")
    assert Observation.history.count() == history


def test_demo_accounts_are_never_created_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("create_demo_users")


@pytest.fixture
def late_2026(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2026, 11, 29))


def demo_figures(indicator):
    """{district code: {year: value}} of an indicator's demo figures."""
    found = defaultdict(dict)
    for code, year, value in Observation.objects.filter(indicator=indicator, is_demo=True).values_list(
        "district__code", "year", "value"
    ):
        found[code][year] = value
    return found


def test_in_the_demo_the_cities_add_up_to_the_province_every_year(client, reviewer, plan):
    # 2024 全省普通高中在校生 used to read 60.82 against a city sum of 78.0: twelve disagreements on the page.
    call_command("load_demo", verbosity=0)
    client.force_login(reviewer)

    response = client.get(reverse("tasks:district-targets"))

    assert response.context["mismatches"] == []
    assert "各设区市及平潭合计与全省一致" in response.content.decode()
    # The check compares a year only once the province and every city with targets have a figure: all have.
    for indicator in sum_checks.metrics(plan):
        reporting = set(Target.objects.filter(indicator=indicator).values_list("district__code", flat=True))
        figures = demo_figures(indicator)
        assert set(figures) == reporting, indicator.code
        assert all(set(years) == {2021, 2022, 2023, 2024} for years in figures.values()), indicator.code


def test_a_real_city_figure_is_counted_in_the_demo_provinces_sum(plan, reviewer, district):
    approve(plan, reviewer, district("fuzhou"), "general_high_school_enrolment", 2022, "12.9")

    call_command("load_demo", verbosity=0)

    assert sum_checks.sum_mismatches(plan=plan) == []


def test_no_running_total_of_the_demo_falls(plan):
    call_command("load_demo", verbosity=0)

    running_totals = plan.indicators.filter(cumulative=True)
    assert running_totals.count() > 20
    for indicator in running_totals:
        for code, by_year in demo_figures(indicator).items():
            values = [by_year[year] for year in sorted(by_year)]
            assert values == sorted(values), (indicator.code, code, values)


def test_the_demo_keeps_the_plans_rules_between_indicators(plan):
    call_command("load_demo", verbosity=0)
    districts = list(District.objects.all())
    for year in range(plan.base_year, plan.target_year + 1):
        assert validation.broken_rules(plan, year, districts) == [], year
    # The higher-education total and its parts are there in every demo year: the rule was judged, not skipped.
    total = Observation.objects.filter(indicator__code="higher_ed_total_enrolment", is_demo=True)
    assert sorted(total.values_list("year", flat=True)) == [2021, 2022, 2023, 2024]


def test_the_demo_needs_no_confirmed_large_moves(plan):
    # Each year's figure stays within the plan's year-on-year allowance, so none had to be forced through.
    call_command("load_demo", verbosity=0)

    assert Observation.objects.filter(is_demo=True).count() > 200
    assert not Observation.objects.filter(is_demo=True, confirmed_large_move=True).exists()


def test_the_demo_shows_every_status_on_the_dashboard_of_its_default_year(client, leader, late_2026):
    call_command("load_demo", verbosity=0)
    client.force_login(leader)

    dashboard = client.get(reverse("dashboards:dashboard")).context

    assert dashboard["year"] == 2024
    shown = {row.status for row in dashboard["rows"]}
    # 已实现, 快于预期, 符合预期, 滞后, 倒退, 未实现, 推进中, 数据未更新, 暂无数据: all on the province's dashboard.
    assert shown == {
        progress.ACHIEVED,
        progress.AHEAD,
        progress.ON_TRACK,
        progress.LAGGING,
        progress.REGRESSING,
        progress.NOT_ACHIEVED,
        progress.IN_PROGRESS,
        progress.STALE,
        progress.NO_DATA,
    }
    assert dict(dashboard["counts"]).keys() == shown


def test_the_demo_never_changes_the_plans_baselines_and_leaves_them_when_removed(plan):
    def real():
        return set(
            Observation.objects.filter(is_demo=False).values_list(
                "indicator__code", "district__code", "year", "value", "status", "source", "version"
            )
        )

    before, history = real(), Observation.history.filter(is_demo=False).count()
    assert {year for *_, year, _v, _s, _src, _ver in before} == {plan.base_year}
    province = District.objects.get(slug="province")
    baseline = plan.indicators.get(code="general_high_school_enrolment").observations.get(
        district=province, year=plan.base_year
    )

    call_command("load_demo", verbosity=0)
    assert real() == before
    assert not Observation.objects.filter(is_demo=True, year=plan.base_year).exists()

    call_command("load_demo", "--remove", verbosity=0)
    assert real() == before and Observation.history.filter(is_demo=False).count() == history
    baseline.refresh_from_db()
    assert baseline.value == Decimal("66.4") and not baseline.is_demo


def test_loading_again_replaces_what_an_older_demo_wrote(plan):
    call_command("load_demo", verbosity=0)
    cell = {"is_demo": True, "indicator__code": "general_high_school_enrolment", "district__slug": "province"}
    right = Observation.objects.get(**cell, year=2024).value
    # An earlier version of the demo: 60.82 against a city sum of 78, and a figure this one leaves out.
    Observation.objects.filter(**cell, year=2024).update(value=Decimal("60.82"))
    Observation.objects.filter(**cell, year=2021).update(year=plan.target_year)

    call_command("load_demo", verbosity=0)

    assert Observation.objects.get(**cell, year=2024).value == right
    assert not Observation.objects.filter(**cell, year=plan.target_year).exists()
    assert sum_checks.sum_mismatches(plan=plan) == []


def test_with_the_demo_accounts_the_demo_shows_a_season_in_progress(client, plan, settings):
    from figures.models import Notice, ReportingYear

    settings.DEBUG = True
    call_command("create_demo_users", stdout=open("/dev/null", "w"))
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert ReportingYear.objects.get(plan=plan, year=2025).deadline is not None
    season = Observation.objects.filter(year=2025, is_demo=True)
    statuses = set(season.values_list("status", flat=True))
    assert {"submitted", "city_approved", "returned", "approved", "draft"} <= statuses
    assert season.filter(status="returned").exclude(review_comment="").count() == 2
    assert Notice.objects.filter(user__username="official_fuzhou", kind="returned", read_at=None).exists()
    history = Observation.history.count()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert Observation.history.count() == history
    client.login(username="reviewer_fuzhou", password="planboard-demo")
    todo = client.get("/start/", follow=True)
    assert [w["district"].short_name for w in todo.context["waiting"]] == ["福州"]
