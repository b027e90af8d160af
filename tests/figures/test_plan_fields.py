"""What is particular to the plan comes from its files: main indicators, the district table and its tolerances."""

from decimal import Decimal

import pytest

from figures import sum_checks
from plans.models import Indicator

pytestmark = pytest.mark.django_db


def test_the_main_indicators_are_the_fifteen_of_the_main_table(plan):
    main = Indicator.objects.filter(plan=plan, is_main=True)
    assert main.count() == 15 and set(main.values_list("section", flat=True)) == {"专栏1"}


def test_the_district_table_metrics_and_tolerances_are_loaded_in_the_plans_order(plan):
    assert [(i.code, i.sum_tolerance, i.district_order) for i in sum_checks.metrics(plan)] == [
        ("preschool_inclusive_inspection_counties", Decimal(0), 1),
        ("compulsory_quality_balanced_counties", Decimal(0), 2),
        ("general_high_school_enrolment", Decimal("0.05"), 3),
    ]


def test_every_key_project_indicator_has_the_section_of_its_source(plan):
    for indicator in Indicator.objects.filter(plan=plan, is_main=False, sum_check=False):
        assert indicator.source_detail.startswith(indicator.section), indicator.code
