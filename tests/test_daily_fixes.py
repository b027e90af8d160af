"""Smaller things people noticed (issue #14): 专栏1 once on the dashboard, 已完成 for finished years, links from
a figure's history, whole numbers without decimals, a one-district dashboard without a one-bar chart."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from figures import pipeline
from figures.models import Observation
from plans.models import District, Indicator
from tests.conftest import FJ
from tests.story import approve

pytestmark = pytest.mark.django_db


def test_the_dashboard_lists_each_section_once_in_the_plans_order_with_a_lost_sub_header_marked(client, leader):
    client.force_login(leader)
    html = client.get(reverse("dashboards:dashboard")).content.decode()
    sections = re.findall(r'<tr class="group"><th colspan="\d" scope="rowgroup">([^<]+)</th>', html)
    assert len(sections) == len(set(sections)) and sections[0] == "专栏1"
    column = html.split(">专栏1<")[1].split('<tr class="group">')[0]
    assert "职业教育" in column and "（原文分组标题缺失）" in column
    lost = column.split("（原文分组标题缺失）")[1]
    assert 'data-indicator="general_high_school_enrolment"' in lost and "待核实" in lost.split("</tr>")[0]


def test_a_one_district_official_sees_no_one_bar_status_chart(client, official_fuzhou, leader):
    client.force_login(official_fuzhou)
    assert 'data-chart="status-chart"' not in client.get(reverse("dashboards:dashboard")).content.decode()
    client.force_login(leader)
    assert 'data-chart="status-chart"' in client.get(reverse("dashboards:dashboard")).content.decode()


def test_a_fully_approved_year_says_done_on_the_entry_index(client, official_fuzhou, reviewer):
    fuzhou = District.objects.get(slug="fuzhou")
    owed = Indicator.objects.reported_by(fuzhou)
    for indicator in owed:
        approve(indicator.plan, reviewer, fuzhou, indicator.code, 2022, 1)
    assert Observation.objects.filter(district=fuzhou, year=2022, status="approved").count() == owed.count()
    client.force_login(official_fuzhou)
    html = client.get(reverse("figures:entry-index")).content.decode()
    cell = re.search(rf'href="{FJ}/report/350100/2022/">([^<]+)</a>', html).group(1)
    assert cell == "已完成"
    assert re.search(rf'href="{FJ}/report/350100/2023/">([^<]+)</a>', html).group(1) == "填报"


def test_a_figures_history_links_back_to_the_grid_and_the_indicator(client, official_fuzhou):
    figure = pipeline.record_value(
        by=official_fuzhou,
        indicator=Indicator.objects.get(code="general_high_school_enrolment"),
        district=District.objects.get(slug="fuzhou"),
        year=2022,
        value="11.2",
    )
    client.force_login(official_fuzhou)
    html = client.get(reverse("figures:observation-history", args=[figure.pk])).content.decode()
    assert f'href="{FJ}/report/350100/2022/"' in html
    assert f'href="{FJ}/indicators/general_high_school_enrolment/?district=350100"' in html


def test_a_rank_shows_as_a_whole_number(client, leader):
    call_command("load_demo", verbosity=0)
    rank = Indicator.objects.filter(whole_number=True, unit="位次").first()
    assert rank is not None
    client.force_login(leader)
    page = client.get(reverse("dashboards:indicator", args=[rank.code]))
    assert page.context["decimals"] == 0
    row = re.search(rf'<tr data-indicator="{rank.code}">(.*?)</tr>', client.get(f"{FJ}/").content.decode(), re.S).group(
        1
    )
    assert not re.search(r"\d\.00", row)
