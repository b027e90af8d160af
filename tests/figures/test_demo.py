"""Demo figures show the app, are always marked, and come out again without touching real figures."""

import pytest
from django.core.management import CommandError, call_command

from figures.models import DEMO_SOURCE, Observation
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
