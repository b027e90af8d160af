"""The precomputed statuses behind the all-districts overview always agree with progress.py."""

import pytest
from django.core.management import call_command

from figures import pipeline, review
from figures.assessments import assess
from figures.models import Standing

pytestmark = pytest.mark.django_db


def kept(plan):
    return {(s.indicator_id, s.district_id, s.as_of): s.status for s in Standing.objects.filter(indicator__plan=plan)}


def judged(plan):
    return {
        (i, d, year): assessment.status
        for year in range(plan.base_year + 1, plan.target_year + 1)
        for (i, d), assessment in assess(plan, as_of=year).items()
    }


def test_after_loading_the_demo_every_kept_status_equals_the_judged_one(plan):
    call_command("load_demo")
    assert kept(plan) == judged(plan)
    assert {"ahead", "on_track", "lagging", "regressing", "achieved"} <= set(kept(plan).values())


def test_approving_reopening_and_importing_keep_the_statuses_current(plan, reviewer, official_fuzhou, district):
    fuzhou = district("fuzhou")
    indicator = plan.indicators.get(code="general_high_school_enrolment")
    key = (indicator.pk, fuzhou.pk, 2022)
    assert kept(plan)[key] == "no_data"
    figure = pipeline.record_value(
        indicator=indicator, district=fuzhou, year=2022, value="12.9", by=official_fuzhou, action="submit"
    )
    assert kept(plan)[key] == "no_data"  # submitted figures don't count yet
    figure = review.approve(observation=figure, by=reviewer)
    # By 2025 the 2022 figure is too old to vouch for the pace: 数据未更新.
    assert kept(plan)[key] == "on_track" and kept(plan)[key[:2] + (2025,)] == "stale"
    review.reopen(observation=figure, by=reviewer, comment="口径有误")
    assert kept(plan)[key] == "no_data"
    pipeline.import_rows(
        plan=plan,
        rows=[(2, {"indicator": indicator.code, "district": "350100", "year": 2022, "value": "11.5"})],
        by=reviewer,
    )
    assert kept(plan)[key] == "lagging"
    assert kept(plan) == judged(plan)


def test_removing_the_demo_takes_its_statuses_away(plan):
    call_command("load_demo")
    call_command("load_demo", "--remove")
    assert set(kept(plan).values()) == {"no_data"}
