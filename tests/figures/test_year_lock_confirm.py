"""Locking a year with figures still in the works asks first, listing them by district; a second POST locks."""

import re

import pytest
from django.urls import reverse

from figures import pipeline
from figures.models import ReportingYear
from planboard import roles
from plans.models import District, Indicator, Plan

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


def test_a_year_with_every_figure_approved_still_asks_and_says_what_locking_does(client, reviewer, plan):
    client.force_login(reviewer)
    asked = client.post(reverse("figures:year-lock", args=[2023]))
    assert asked.status_code == 200 and "不能再填报、修改、审核或恢复" in asked.content.decode()
    assert not ReportingYear.objects.filter(plan=plan, year=2023, locked=True).exists()
    assert client.post(reverse("figures:year-lock", args=[2023]), {"confirm": "1"}).status_code == 302
    assert ReportingYear.objects.get(plan=plan, year=2023).locked


def test_a_locked_year_is_not_offered_for_the_template(client, reviewer, official_fuzhou, plan):
    client.force_login(reviewer)
    client.post(reverse("figures:year-lock", args=[2023]), {"confirm": "1"})
    client.force_login(official_fuzhou)
    assert client.get(reverse("figures:import-template"), {"year": 2023}).status_code == 404
    assert client.get(reverse("figures:import-template"), {"year": 2024}).status_code == 200


def test_locking_the_final_year_says_the_plan_closes_and_waits_for_a_second_reviewer(client, reviewer, make_user, plan):
    client.force_login(reviewer)
    asked = client.post(reverse("figures:year-lock", args=[2025])).content.decode()
    assert "锁定后规划将结束" in asked and "另一位审核员确认" in asked
    client.post(reverse("figures:year-lock", args=[2025]), {"confirm": "1"})
    year = ReportingYear.objects.get(plan=plan, year=2025)
    assert (year.locked, year.close_requested_by) == (False, reviewer)
    # The same reviewer confirming his own request is refused, even by a forged post.
    again = client.post(reverse("figures:year-lock", args=[2025]), {"confirm": "1"}, follow=True)
    assert "需由另一位审核员确认" in again.content.decode()
    assert not ReportingYear.objects.get(plan=plan, year=2025).locked

    client.force_login(make_user("reviewer2", roles.REVIEWER))
    done = client.post(reverse("figures:year-lock", args=[2025]), {"confirm": "1"}, follow=True)
    assert "2025年度已锁定，规划已结束" in done.content.decode()
    year.refresh_from_db()
    assert year.locked and year.close_requested_by is None
    assert Plan.objects.get(pk=plan.pk).is_read_only()


def test_the_api_closes_a_plan_only_on_a_second_reviewers_lock(client, reviewer, make_user, plan):
    def lock(user):
        client.force_login(user)
        return client.post("/api/years/2025/lock/", {"locked": True}, content_type="application/json")

    first = lock(reviewer)
    assert (first.status_code, first.json()["locked"], first.json()["close_requested_by"]) == (200, False, "reviewer")
    assert lock(reviewer).status_code == 400
    second = lock(make_user("reviewer2", roles.REVIEWER))
    assert (second.status_code, second.json()["locked"], second.json()["locked_by"]) == (200, True, "reviewer2")


def test_withdrawing_a_close_request_leaves_the_plan_open(client, reviewer, plan):
    client.force_login(reviewer)
    client.post(reverse("figures:year-lock", args=[2025]), {"confirm": "1"})
    client.post(reverse("figures:year-unlock", args=[2025]))
    year = ReportingYear.objects.get(plan=plan, year=2025)
    assert (year.locked, year.close_requested_by) == (False, None)
