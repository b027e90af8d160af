"""An administrator uploads the plan without some of its rows: the rows without figures go, but a target or a
baseline whose figures exist stays, and the whole upload is refused naming it (figures go through their review,
never with a plan upload)."""

import pytest

from figures.models import Observation
from figures.plan_dumping import dump_plan
from figures.plan_loading import Refused, load_plan
from plans.models import Target
from tests.story import approve, enter

pytestmark = pytest.mark.django_db

ENROLMENT = "general_high_school_enrolment"
FUZHOU = "350100"


def without(data, kind, indicator, district, year):
    kept = [r for r in data[kind] if (r["indicator"], r["district"], r["year"]) != (indicator, district, year)]
    assert len(kept) == len(data[kind]) - 1, "the row to remove is in the plan"
    return dict(data, **{kind: kept})


def fuzhou_enrolment_targets(plan):
    return set(
        Target.objects.filter(indicator__plan=plan, indicator__code=ENROLMENT, district__code=FUZHOU).values_list(
            "year", flat=True
        )
    )


def test_a_target_without_figures_is_removed_with_the_upload(plan, admin_user):
    years = fuzhou_enrolment_targets(plan)
    year = min(years)
    report = load_plan(without(dump_plan(plan), "targets", ENROLMENT, FUZHOU, year), by=admin_user, remove=True)
    assert [r for r in report.removed if ENROLMENT in r] == [f"分地区目标 {ENROLMENT} {FUZHOU} {year}"]
    assert fuzhou_enrolment_targets(plan) == years - {year}


def test_a_target_whose_year_has_a_figure_is_kept_and_the_upload_refused(plan, admin_user, district, official_fuzhou):
    years = fuzhou_enrolment_targets(plan)
    year = min(years)
    enter(plan, official_fuzhou, district("fuzhou"), ENROLMENT, year, "13")
    with pytest.raises(Refused) as refused:
        load_plan(without(dump_plan(plan), "targets", ENROLMENT, FUZHOU, year), by=admin_user, remove=True)
    assert refused.value.report.refused == [f"分地区目标 {ENROLMENT} {FUZHOU} {year}: 已有 1 个数据，不能删除"]
    assert fuzhou_enrolment_targets(plan) == years
    # The same upload with a figure of another year only: that one is no reason to keep the target.
    Observation.objects.filter(year=year).update(year=year - 1)
    load_plan(without(dump_plan(plan), "targets", ENROLMENT, FUZHOU, year), by=admin_user, remove=True)
    assert fuzhou_enrolment_targets(plan) == years - {year}


def test_a_baseline_left_out_of_the_upload_is_refused_and_its_figure_kept(plan, admin_user):
    baseline = Observation.objects.get(
        indicator__plan=plan, indicator__code=ENROLMENT, district__code=FUZHOU, year=plan.base_year
    )
    data = without(dump_plan(plan), "baselines", ENROLMENT, FUZHOU, plan.base_year)
    with pytest.raises(Refused) as refused:
        load_plan(data, by=admin_user, remove=True)
    assert refused.value.report.refused == [
        f"分地区目标 基期值 {ENROLMENT} {FUZHOU} {plan.base_year}: 已有数据，不能随规划删除"
    ]
    baseline.refresh_from_db()
    assert (baseline.status, baseline.version) == ("approved", 1)
    # Without `remove` (the plan folder, which states only what it adds) nothing is removed and nothing refused.
    assert not load_plan(data, by=admin_user).refused


def test_an_approved_figure_of_a_later_year_does_not_stand_in_for_a_baseline(plan, admin_user, reviewer, district):
    approve(plan, reviewer, district("fuzhou"), ENROLMENT, 2021, "11.5")
    report = load_plan(dump_plan(plan), by=admin_user, remove=True)
    assert not report.refused and not report.removed


def test_the_preview_names_each_changed_row_as_the_plan_does(plan, admin_user):
    data = dump_plan(plan)
    indicator = data["indicators"][0]
    old_name, code = indicator["fields"]["name"], indicator["code"]
    indicator["fields"]["name"] = "改过的名称"
    target = next(r for r in data["targets"] if (r["indicator"], r["district"]) == (ENROLMENT, FUZHOU))
    target["fields"]["value"] += 1
    report = load_plan(data, by=admin_user, dry_run=True)
    named = {(c.sheet, c.name) for c in report.changes if c.action == "changed"}
    assert named == {("指标", f"{old_name}（{code}）"), ("分地区目标", f"普通高中在校生 福州 {target['year']}")}
