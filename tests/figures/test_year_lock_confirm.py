"""Locking a year with figures still in the works asks first, listing them by district; a second POST locks."""

import re

import pytest
from django.urls import reverse

from figures import pipeline
from figures.models import ReportingYear
from plans.models import District, Indicator

pytestmark = pytest.mark.django_db


def record(user, slug, code, action):
    return pipeline.record_value(
        by=user,
        indicator=Indicator.objects.get(code=code),
        district=District.objects.get(slug=slug),
        year=2022,
        value="11.2" if code == "general_high_school_enrolment" else "9",
        action=action,
        confirm=True,
        note="说明",
        reason="原因",
        measures="措施",
    )


def test_locking_a_year_with_unfinished_figures_lists_them_and_locks_only_when_confirmed(
    client, reviewer, official_fuzhou, official_xiamen, plan
):
    record(official_fuzhou, "fuzhou", "general_high_school_enrolment", "submit")
    record(official_fuzhou, "fuzhou", "compulsory_quality_balanced_counties", "save")
    record(official_xiamen, "xiamen", "general_high_school_enrolment", "submit")
    client.force_login(reviewer)

    page = client.post(reverse("figures:year-lock", args=[2022]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "还有 3 项数据未审核通过" in html
    fuzhou = re.search(r'<tr data-district="350100">(.*?)</tr>', html, re.S).group(1)
    assert ">2<" in fuzhou and "已提交" in fuzhou and "草稿" in fuzhou
    assert 'name="confirm" value="1"' in html
    assert not ReportingYear.objects.filter(plan=plan, year=2022, locked=True).exists()

    done = client.post(reverse("figures:year-lock", args=[2022]), {"confirm": "1"})
    assert done.status_code == 302
    assert ReportingYear.objects.get(plan=plan, year=2022).locked


def test_a_year_with_every_figure_approved_locks_at_once(client, reviewer, plan):
    client.force_login(reviewer)
    assert client.post(reverse("figures:year-lock", args=[2023])).status_code == 302
    assert ReportingYear.objects.get(plan=plan, year=2023).locked


def test_a_locked_year_is_not_offered_for_the_template(client, reviewer, official_fuzhou, plan):
    client.force_login(reviewer)
    client.post(reverse("figures:year-lock", args=[2023]), {"confirm": "1"})
    client.force_login(official_fuzhou)
    assert client.get(reverse("figures:import-template"), {"year": 2023}).status_code == 404
    assert client.get(reverse("figures:import-template"), {"year": 2024}).status_code == 200
