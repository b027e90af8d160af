"""Plan.assess feeds approved figures and each district's own milestones into the progress rules."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from figures import pipeline
from figures.assessments import assess
from figures.models import Observation
from plans.models import Target
from tests.story import approve

pytestmark = pytest.mark.django_db


def test_a_district_is_judged_against_its_own_milestones(plan, reviewer, district):
    # 福州 普通高中: 11.09 in 2020, 13.83 by 2023 -> 2022 expected 11.09 + 2.74 * 2/3 = 12.9167.
    approve(plan, reviewer, district("fuzhou"), "general_high_school_enrolment", 2022, "12.9")
    fuzhou = district("fuzhou")
    verdict = assess(plan, as_of=2023, districts=[fuzhou])[
        (plan.indicators.get(code="general_high_school_enrolment").pk, fuzhou.pk)
    ]
    assert verdict.status == "on_track"
    assert verdict.expected == pytest.approx(12.9167, abs=1e-4)


def test_drafts_do_not_count_and_later_years_are_ignored(plan, reviewer, district):
    province = district("province")
    indicator = plan.indicators.get(code="putonghua_rate")
    pipeline.record_value(indicator=indicator, district=province, year=2021, value="93", by=reviewer)
    approve(plan, reviewer, province, "putonghua_rate", 2023, "92")
    key = (indicator.pk, province.pk)
    assert assess(plan, as_of=2022)[key].status == "no_data"
    assert assess(plan, as_of=2023)[key].status == "achieved"


def test_pairs_without_targets_are_listed_as_no_target(plan, reviewer, district):
    """No door stores such a figure any more (District.reports); one from before that rule is still judged."""
    fuzhou = district("fuzhou")
    indicator = plan.indicators.get(code="putonghua_rate")
    with pytest.raises(ValidationError, match="不填报该指标"):
        approve(plan, reviewer, fuzhou, "putonghua_rate", 2021, "90")
    Observation.objects.create(
        indicator=indicator,
        district=fuzhou,
        year=2021,
        value=90,
        status="approved",
        entered_by=reviewer,
        entered_at=timezone.now(),
        approved_by=reviewer,
        approved_at=timezone.now(),
    )
    assert assess(plan, as_of=2021)[(plan.indicators.get(code="putonghua_rate").pk, fuzhou.pk)].status == "no_target"


def test_assessing_costs_three_queries_however_much_data(plan, django_assert_num_queries):
    call_command("load_demo")
    with django_assert_num_queries(3):
        standings = assess(plan, as_of=2024)
    assert len(standings) == Target.objects.values("indicator", "district").distinct().count()
