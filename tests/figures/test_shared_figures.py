"""A figure two plans share is recorded once: the 十五五 plan's 高等教育毛入学率 continues the 十四五's, so the 2025
figure entered once is the 十四五's final figure and the 十五五's baseline (README, "Figures two plans share")."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from dashboards import overviews, panorama
from figures import excel_template, pipeline, review, submissions
from figures.assessments import assess, statuses_by_year
from figures.forms import EntryGrid
from figures.models import Observation, Standing
from figures.pipeline import Conflict
from figures.plan_dumping import dump_plan
from figures.plan_loading import Refused, load_plan
from plans import progress, workbook, workbook_reading
from plans.models import Indicator, Plan
from tests import story

pytestmark = pytest.mark.django_db

CODE = "higher_ed_gross_enrolment"
OLD_PLAN = "fujian-14th-education"


def next_plan_rows(*, unit="%", baseline=None):
    """The rows of a 2025–2030 plan of three indicators, the first continuing Fujian's 高等教育毛入学率, as an
    administrator fills the downloaded workbook."""
    indicator = {
        "group": "",
        "name_en": "",
        "direction": "increase",
        "decimals": 2,
        "min_value": Decimal(0),
        "max_value": Decimal(150),
        "whole_number": False,
        "attribute": "预期性",
        "definition": "",
        "section": "表1",
        "source_detail": "",
        "cumulative": False,
        "is_main": True,
        "sum_check": False,
        "sum_tolerance": Decimal(0),
        "district_order": None,
        "confidence": "high",
    }
    rows = [
        (CODE, "高等教育毛入学率", unit, 1, f"{OLD_PLAN}/{CODE}"),
        ("preschool_gross_enrolment", "学前教育毛入园率", "%", 2, None),
        ("putonghua_rate", "普通话普及率", "%", 3, None),
    ]
    return {
        "plan": {
            "code": "next-plan",
            "fields": {
                "name": "“十五五”教育发展规划（试）",
                "document_number": "",
                "base_year": 2025,
                "target_year": 2030,
                "ahead_ratio": Decimal("1.1"),
                "on_track_ratio": Decimal("0.9"),
                "large_move_share": Decimal("0.2"),
                "large_move_points": Decimal(5),
            },
        },
        "districts": [],
        "tasks": [],
        "task_items": [],
        "indicators": [
            {
                "code": code,
                "task_number": None,
                "continues": continues,
                "fields": dict(indicator, name=name, unit=unit, order=order),
            }
            for code, name, unit, order, continues in rows
        ],
        "targets": [
            {
                "indicator": code,
                "district": "350000",
                "year": 2030,
                "fields": {"value": Decimal(70 if code == CODE else 95), "upper": None, "operator": ""},
            }
            for code, *_rest in rows
        ],
        # The continuing indicator's baseline is the 十四五's 2025 figure, entered by the department, not loaded.
        "baselines": [
            {"indicator": code, "district": "350000", "year": 2025, "fields": {"value": Decimal(90), "source": "测试"}}
            for code, *_rest in rows[1:]
        ]
        + (baseline or []),
        "text_targets": [],
    }


def load_through_the_workbook(rows, by):
    """As an administrator does: the rows written to a workbook, read back and loaded by the one loader."""
    return load_plan(workbook_reading.read_workbook(workbook.write_workbook(rows)), by=by)


@pytest.fixture
def next_plan(plan, admin_user):
    load_through_the_workbook(next_plan_rows(), admin_user)
    return Plan.objects.get(code="next-plan")


@pytest.fixture
def province(district):
    return district("province")


def old_and_new(plan, next_plan):
    return plan.indicators.get(code=CODE), next_plan.indicators.get(code=CODE)


def enter_the_14th_plan_years(plan, reviewer, province):
    for year, value in [(2021, "59.1"), (2022, "60.5"), (2023, "62"), (2024, "64"), (2025, "66.2")]:
        story.approve(plan, reviewer, province, CODE, year, value)


def verdict(plan, indicator, province, as_of):
    return assess(plan, as_of=as_of, indicators=[indicator], districts=[province])[(indicator.pk, province.pk)]


def standings_are_fresh(plan, indicator):
    """The kept statuses of a plan's indicator equal a fresh computation."""
    kept = set(
        Standing.objects.filter(plan=plan, indicator=indicator).values_list("indicator", "district", "as_of", "status")
    )
    return kept == set(statuses_by_year(plan, indicators=[indicator])) and kept


def test_the_loaded_plan_continues_the_14th_plans_indicator(plan, next_plan):
    old, new = old_and_new(plan, next_plan)
    assert new.continues == old and new.statistic == old and old.statistic == old
    assert list(old.continued_by.all()) == [new]
    # The workbook of the new plan says so, and reads back to the same rows.
    data = dump_plan(next_plan)
    assert next(i for i in data["indicators"] if i["code"] == CODE)["continues"] == f"{OLD_PLAN}/{CODE}"
    assert workbook_reading.read_workbook(workbook.write_workbook(data)) == data


def test_the_2025_figure_is_entered_once_and_is_both_plans_figure(client, plan, next_plan, reviewer, province):
    old, new = old_and_new(plan, next_plan)
    enter_the_14th_plan_years(plan, reviewer, province)

    assert Observation.objects.filter(indicator__code=CODE, district=province, year=2025).count() == 1
    # The 十四五's final figure: judged against its own 2025 target of 65.
    final = verdict(plan, old, province, 2025)
    assert final.status == progress.ACHIEVED and final.latest == (2025, 66.2) and final.final.value == 65
    # The 十五五's baseline, without a row of its own.
    start = verdict(next_plan, new, province, 2026)
    assert start.baseline == (2025, 66.2) and start.final.value == 70
    assert not Observation.objects.filter(indicator=new).exists()

    # 2026 is entered through the new plan's indicator and stored with the others.
    story.approve(next_plan, reviewer, province, CODE, 2026, "67")
    assert not Observation.objects.filter(indicator=new).exists()
    assert Observation.objects.get(indicator=old, district=province, year=2026).value == 67
    as_of_2026 = verdict(next_plan, new, province, 2026)
    assert as_of_2026.baseline == (2025, 66.2) and as_of_2026.latest == (2026, 67.0)
    assert as_of_2026.status == progress.ON_TRACK
    # The 十四五 is still judged as of its final year, against its own target.
    assert verdict(plan, old, province, 2025).status == progress.ACHIEVED

    client.force_login(reviewer)
    answer = client.get(reverse("dashboards:api-progress"), {"plan": "next-plan", "year": 2026, "district": "350000"})
    row = next(r for r in answer.json()["indicators"] if r["code"] == CODE)
    assert row["baseline"] == {"year": 2025, "value": 66.2} and row["latest"] == {"year": 2026, "value": 67}
    assert row["status"] == progress.ON_TRACK

    # The kept statuses of both plans followed every write, whichever plan it went through.
    assert Standing.objects.get(indicator=old, district=province, as_of=2025).status == progress.ACHIEVED
    assert Standing.objects.get(indicator=new, district=province, as_of=2026).status == progress.ON_TRACK
    assert standings_are_fresh(plan, old) and standings_are_fresh(next_plan, new)


def test_reopening_the_shared_figure_moves_the_standings_of_both_plans(plan, next_plan, reviewer, province):
    old, new = old_and_new(plan, next_plan)
    enter_the_14th_plan_years(plan, reviewer, province)
    story.approve(next_plan, reviewer, province, CODE, 2026, "67")
    shared = Observation.objects.get(indicator=old, district=province, year=2025)

    review.reopen(observation=shared, by=reviewer, comment="口径待核", version=shared.version)

    # Without its baseline the 十五五 indicator is not judged by its pace; the 十四五 one lost its final figure.
    assert verdict(next_plan, new, province, 2026).baseline is None
    assert Standing.objects.get(indicator=new, district=province, as_of=2026).status != progress.ON_TRACK
    assert Standing.objects.get(indicator=old, district=province, as_of=2025).status != progress.ACHIEVED
    assert standings_are_fresh(plan, old) and standings_are_fresh(next_plan, new)


def test_either_plans_chart_draws_the_whole_line_with_both_plans_targets(plan, next_plan, reviewer, province):
    old, new = old_and_new(plan, next_plan)
    enter_the_14th_plan_years(plan, reviewer, province)
    story.approve(next_plan, reviewer, province, CODE, 2026, "67")

    for shown_plan, indicator, as_of in [(plan, old, 2025), (next_plan, new, 2026)]:
        chart = overviews.IndicatorProgress(shown_plan, indicator, as_of=as_of, districts=[province]).chart(province)
        traces = {trace["name"]: trace for trace in chart["data"]}
        assert list(traces["实际值"]["x"]) == list(range(2020, 2027)), shown_plan
        assert list(traces["实际值"]["y"]) == [57.88, 59.1, 60.5, 62, 64, 66.2, 67]
        assert [name for name in traces if name == "实际值"] == ["实际值"]
        for each, target in [(plan, 65), (next_plan, 70)]:
            final = traces[f"最终目标（{each.name}）"]
            assert (list(final["x"]), list(final["y"])) == ([each.target_year], [target])
            path = traces[f"按进度应达（{each.name}）"]
            assert (path["x"][0], path["x"][-1]) == (each.base_year, each.target_year)
        assert list(traces[f"基期值（{next_plan.name}）"]["y"]) == [66.2]


def test_a_fujian_indicator_that_nothing_continues_draws_as_before(plan, reviewer, province):
    story.approve(plan, reviewer, province, CODE, 2021, "59.1")
    chart = overviews.IndicatorProgress(plan, plan.indicators.get(code=CODE), as_of=2021, districts=[province]).chart(
        province
    )
    names = [trace["name"] for trace in chart["data"]]
    assert {"基期值", "按进度应达", "最终目标", "实际值"} <= set(names) and not any("（" in n for n in names)


def test_the_entry_grid_of_the_new_plan_shows_the_shared_figure_and_stores_on_it(
    plan, next_plan, reviewer, province, official_province
):
    old, new = old_and_new(plan, next_plan)
    enter_the_14th_plan_years(plan, reviewer, province)
    grid = EntryGrid(plan=next_plan, district=province, year=2026)
    row = next(r for r in grid.rows if r.indicator == new)
    assert [o.value for o in row.past] == [Decimal("66.2")]
    figure = pipeline.record_value(
        indicator=new, district=province, year=2026, value="66.9", by=official_province, action="save"
    )
    assert figure.indicator == old and not new.observations.exists()
    assert EntryGrid(plan=next_plan, district=province, year=2026).rows[0].current == figure


def test_who_may_enter_the_shared_figure_is_decided_by_the_plan_it_is_entered_through(
    plan, next_plan, official_province, province
):
    old, new = old_and_new(plan, next_plan)
    # 2025 is the 十四五's last year: an official enters it there ...
    assert pipeline.check_value(indicator=old, district=province, year=2025, value="66.2", by=official_province)
    # ... and it is the 十五五's base year, which only reviewers change.
    with pytest.raises(PermissionDenied, match="基期"):
        pipeline.check_value(indicator=new, district=province, year=2025, value="66.2", by=official_province)


def test_a_year_locked_in_either_plan_locks_the_shared_figure(plan, next_plan, reviewer, official_province, province):
    old, new = old_and_new(plan, next_plan)
    review.lock_year(plan=next_plan, year=2025, by=reviewer)
    with pytest.raises(Conflict, match="2025年度已锁定"):
        pipeline.check_value(indicator=old, district=province, year=2025, value="66.2", by=official_province)
    # Another 十四五 figure of 2025 is not shared and stays open.
    assert pipeline.check_value(
        indicator=plan.indicators.get(code="preschool_gross_enrolment"),
        district=province,
        year=2025,
        value="92",
        by=official_province,
        confirm=True,
        note="测试",
    )
    review.lock_year(plan=next_plan, year=2025, by=reviewer, locked=False)
    submitted = pipeline.record_value(
        indicator=old, district=province, year=2025, value="66.2", by=official_province, action="submit"
    )
    story.close_plan(plan, by=reviewer)
    with pytest.raises(Conflict, match="2025年度已锁定"):
        pipeline.check_value(indicator=new, district=province, year=2025, value="66.3", by=reviewer)
    with pytest.raises(Conflict, match="2025年）已锁定，规划已结束"):
        review.approve(observation=submitted, by=reviewer, version=submitted.version)
    grid = EntryGrid(plan=next_plan, district=province, year=2025)
    assert [row.locked for row in grid.rows] == [True, False, False] and not grid.locked


def test_an_indicator_of_another_statistic_cannot_continue_and_is_named(plan, next_plan, admin_user):
    old, new = old_and_new(plan, next_plan)
    with pytest.raises(workbook_reading.BadWorkbook) as refused:
        workbook_reading.read_workbook(workbook.write_workbook(next_plan_rows(unit="万人")))
    (message,) = refused.value.errors
    assert "工作表“指标”第2行" in message and "延续指标" in message
    assert "“高等教育毛入学率”的单位（万人）与所延续的“高等教育毛入学率”（%）不同" in message

    new.unit = "万人"
    with pytest.raises(ValidationError) as invalid:
        new.full_clean()
    assert "高等教育毛入学率" in invalid.value.message_dict["continues"][0]
    # An indicator of a plan that has not ended by this plan's base year, or of the same plan, cannot be continued.
    other = plan.indicators.get(code="preschool_gross_enrolment")
    later = Indicator(plan=plan, code="x", name="某指标", unit="%", section="表1", continues=other)
    assert "同一规划" in later.continuation_problem()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Indicator.objects.filter(pk=new.pk).update(continues=new)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Indicator.objects.filter(pk=next_plan.indicators.get(code="putonghua_rate").pk).update(continues=old)


def test_a_baseline_loaded_for_a_continuing_indicator_is_the_stored_figure_of_that_year(
    plan, reviewer, province, admin_user
):
    old = plan.indicators.get(code=CODE)
    story.approve(plan, reviewer, province, CODE, 2025, "66.2")
    same = {"indicator": CODE, "district": "350000", "year": 2025, "fields": {"value": Decimal("66.2"), "source": ""}}
    report = load_through_the_workbook(next_plan_rows(baseline=[same]), admin_user)
    assert not [c for c in report.changes if c.sheet == "分地区目标" and CODE in c.key and c.action != "new"]
    assert Observation.objects.filter(indicator__code=CODE, district=province, year=2025).count() == 1
    assert not Plan.objects.get(code="next-plan").indicators.get(code=CODE).observations.exists()

    other = dict(same, fields={"value": Decimal("66.5"), "source": ""})
    with pytest.raises(Refused) as refused:
        load_through_the_workbook(next_plan_rows(baseline=[other]), admin_user)
    assert refused.value.report.refused == [
        f"分地区目标 基期值 {CODE} 350000 2025: 与已有的66.2不同：该数据也是上一规划的数据，请通过审核修改"
    ]
    assert Observation.objects.get(indicator=old, district=province, year=2025).value == Decimal("66.2")


def test_the_new_plans_api_and_overview_show_the_shared_figures(client, plan, next_plan, reviewer, province):
    enter_the_14th_plan_years(plan, reviewer, province)
    story.approve(next_plan, reviewer, province, CODE, 2026, "67")
    client.force_login(reviewer)
    answer = client.get(reverse("dashboards:api-plan"), {"plan": "next-plan"}).json()
    row = next(i for i in answer["indicators"] if i["code"] == CODE)
    assert row["baselines"] == [{"district": "350000", "year": 2025, "value": 66.2}]
    figures = client.get(reverse("figures:api-observations"), {"plan": "next-plan", "indicator": CODE}).json()
    assert [(o["indicator"], o["year"], o["value"]) for o in figures["observations"]] == [
        (CODE, 2025, 66.2),
        (CODE, 2026, 67),
    ]
    years, (line,) = panorama.lines(next_plan, province, [next_plan.indicators.get(code=CODE)])
    assert [(cell.year, cell.value) for cell in line.cells[:2]] == [(2025, Decimal("66.2")), (2026, Decimal("67"))]


def test_a_figure_submitted_through_the_new_plan_waits_in_its_review_list_judged_as_its_indicator(
    client, plan, next_plan, reviewer, official_province, province
):
    enter_the_14th_plan_years(plan, reviewer, province)
    submitted = pipeline.record_value(
        indicator=next_plan.indicators.get(code=CODE),
        district=province,
        year=2026,
        value="67",
        by=official_province,
        action="submit",
    )
    client.force_login(reviewer)
    page = client.get("/plans/next-plan/review/", {"indicator": CODE})
    (waiting,) = page.context["pending"]
    assert waiting == submitted and waiting.assessment.status == progress.ON_TRACK
    assert waiting.assessment.baseline == (2025, 66.2)


def test_a_shared_figure_submitted_is_no_longer_owed_and_fills_the_template(
    plan, next_plan, reviewer, official_province, province
):
    enter_the_14th_plan_years(plan, reviewer, province)

    def owed():
        ((_district, _count, missing),) = submissions.missing_figures(next_plan, [province], 2026)
        return [indicator.code for indicator, _status in missing]

    assert CODE in owed()
    pipeline.record_value(
        indicator=next_plan.indicators.get(code=CODE),
        district=province,
        year=2026,
        value="67",
        by=official_province,
        action="submit",
    )
    assert CODE not in owed()
    out = io.BytesIO()
    excel_template.write_template(out, plan=next_plan, year=2026, districts=[province])
    sheet = load_workbook(io.BytesIO(out.getvalue()))[province.short_name]
    row = next(r for r in sheet.iter_rows(values_only=True) if "高等教育毛入学率" in r)
    assert 66.2 in row and "67（已提交）" in row


def closed_next_plan(next_plan, reviewer):
    """The 十五五 closed, its final year locked: its years, the shared 2025 included, no longer change."""
    story.close_plan(next_plan, by=reviewer)


def test_a_closed_later_plan_refuses_review_steps_on_the_figures_it_shares(client, plan, next_plan, reviewer, province):
    old, _new = old_and_new(plan, next_plan)
    story.approve(next_plan, reviewer, province, CODE, 2026, "67")
    closed_next_plan(next_plan, reviewer)
    shared = Observation.objects.get(indicator=old, district=province, year=2026)

    with pytest.raises(Conflict):
        review.reopen(observation=shared, by=reviewer, comment="复核", version=shared.version)
    client.force_login(reviewer)
    body = {"step": "reopen", "indicator": CODE, "district": "350000", "year": 2026, "version": shared.version}
    answer = client.post(
        f"{reverse('figures:api-observation-review')}?plan=next-plan",
        {**body, "comment": "复核"},
        content_type="application/json",
    )
    assert answer.status_code == 409
    shared.refresh_from_db()
    assert shared.status == "approved" and shared.version == 2


def test_a_closed_later_plans_baseline_cannot_change_through_the_earlier_plan(
    plan, next_plan, reviewer, official_province, province
):
    old, _new = old_and_new(plan, next_plan)
    closed_next_plan(next_plan, reviewer)

    # 2025 is open in the 十四五, but it is also the closed 十五五's baseline.
    with pytest.raises(Conflict):
        pipeline.record_value(
            indicator=old, district=province, year=2025, value="66.3", by=official_province, action="save"
        )
    assert not Observation.objects.filter(indicator=old, district=province, year=2025).exists()


def test_a_shared_figure_is_restored_against_the_plan_whose_page_restores_it(
    client, plan, next_plan, reviewer, official_province, province
):
    old, new = old_and_new(plan, next_plan)
    first = pipeline.record_value(
        indicator=new, district=province, year=2026, value="66.9", by=official_province, action="save"
    )
    pipeline.record_value(
        indicator=new, district=province, year=2026, value="67.1", by=official_province, action="save"
    )
    shared = Observation.objects.get(indicator=old, district=province, year=2026)
    record = shared.history.get(version=first.version)

    client.force_login(reviewer)
    url = f"/plans/next-plan/observations/{shared.pk}/history/{record.history_id}/restore/"
    client.post(url, {"version": shared.version})
    shared.refresh_from_db()
    assert (shared.value, shared.version, shared.status) == (Decimal("66.9"), 3, "submitted")


def test_the_review_api_finds_a_shared_figure_by_the_continuing_indicators_own_code(
    client, plan, admin_user, reviewer, official_province, province
):
    rows = next_plan_rows()
    rows["indicators"][0]["code"] = "he_enrolment_15"
    for target in rows["targets"]:
        if target["indicator"] == CODE:
            target["indicator"] = "he_enrolment_15"
    load_through_the_workbook(rows, admin_user)
    new = Plan.objects.get(code="next-plan").indicators.get(code="he_enrolment_15")
    submitted = pipeline.record_value(
        indicator=new, district=province, year=2026, value="66.9", by=official_province, action="submit"
    )

    client.force_login(reviewer)
    body = {"step": "approve", "indicator": "he_enrolment_15", "district": "350000", "year": 2026}
    answer = client.post(
        f"{reverse('figures:api-observation-review')}?plan=next-plan",
        {**body, "version": submitted.version},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "approved"
