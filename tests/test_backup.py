"""A backup made with dumpdata restores every figure, target and history row exactly."""

from datetime import datetime

import pytest
from django.core.management import call_command

from figures.models import Observation
from plans.models import District, Indicator, Plan, Target, Task, TaskItem, TextTarget

pytestmark = pytest.mark.django_db
MODELS = [Plan, District, Indicator, Target, Observation, Observation.history.model, Task, TaskItem, TextTarget]


def snapshot():
    return {model.__name__: [to_milliseconds(row) for row in model.objects.order_by("pk").values()] for model in MODELS}


def to_milliseconds(row):
    # Django's JSON serializer keeps times to the millisecond; pg_dump keeps them exactly.
    return {
        key: value.replace(microsecond=value.microsecond // 1000 * 1000) if isinstance(value, datetime) else value
        for key, value in row.items()
    }


def test_dumpdata_and_loaddata_round_trip_the_whole_plan(tmp_path):
    call_command("load_demo")
    before = snapshot()
    backup = tmp_path / "planboard.json"
    call_command("dumpdata", "plans", "figures", "tasks", "auth.user", "--output", str(backup), verbosity=0)
    Observation.objects.all().delete()
    Observation.history.all().delete()
    Plan.objects.all().delete()
    District.objects.all().delete()
    assert not Target.objects.exists()
    call_command("loaddata", str(backup), verbosity=0)
    assert snapshot() == before
