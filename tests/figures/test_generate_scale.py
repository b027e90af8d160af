"""The benchmarks' synthetic plan: `generate_scale` must keep up with the figure table's columns, or every scale
figure in bench/README.md silently stops being reproducible."""

import pytest
from django.core.management import call_command

from figures.models import Observation
from plans.models import Plan


@pytest.mark.django_db
def test_generate_scale_writes_a_synthetic_plan_of_the_asked_size_with_approved_figures():
    call_command("generate_scale", indicators=3, districts=4, years=2, verbosity=0)

    plan = Plan.objects.get(code__startswith="synthetic")
    figures = Observation.objects.filter(indicator__plan=plan)
    assert figures.count() == 3 * 4 * 2
    assert set(figures.values_list("status", flat=True)) == {"approved"}
    assert not figures.filter(late=True).exists()
