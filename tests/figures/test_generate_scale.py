"""`generate_scale` fills a throwaway database for the national-scale benchmarks (bench/README.md): it must keep
working as the figures' table gains columns, on SQLite and on PostgreSQL (where it writes with COPY)."""

import pytest
from django.core.management import call_command

from figures.models import Observation, Standing
from plans.models import Plan

pytestmark = pytest.mark.django_db


def test_a_small_synthetic_plan_is_generated_with_its_statuses():
    call_command("generate_scale", indicators=3, districts=4, years=3, verbosity=0)

    plan = Plan.objects.get(code="synthetic-scale")
    figures = Observation.objects.filter(indicator__plan=plan)
    assert figures.count() == 3 * 4 * 3
    assert set(figures.values_list("status", flat=True)) == {"approved"}
    assert Standing.objects.filter(plan=plan).count() == 3 * 4 * (plan.target_year - plan.base_year)
