"""Locking a year in chromium: every lock asks first and says what it does; locking the final year closes the
plan, which one reviewer requests and a second, different reviewer confirms (four eyes)."""

import pytest

from figures.models import ReportingYear
from planboard import roles

pytestmark = pytest.mark.browser


def test_locking_any_year_says_what_it_does_before_locking(browser_plan, make_user, login, live_server):
    page = login(make_user("reviewer", roles.REVIEWER))
    page.goto(live_server.url + "/years/")
    page.locator('tr[data-year="2023"]').get_by_role("button", name="锁定").click()
    assert "确认锁定2023年度" in page.locator("h1").inner_text()
    assert "不能再填报、修改、审核或恢复" in page.locator("main").inner_text()
    assert not ReportingYear.objects.filter(year=2023, locked=True).exists()
    page.get_by_role("button", name="锁定2023年度").click()
    page.wait_for_url("**/years/")
    assert ReportingYear.objects.get(year=2023).locked


def test_closing_the_plan_needs_a_second_reviewer(browser_plan, make_user, login, live_server, browser):
    first = make_user("reviewer", roles.REVIEWER)
    second = make_user("reviewer2", roles.REVIEWER)
    page = login(first)
    page.goto(live_server.url + "/years/")
    page.locator('tr[data-year="2025"]').get_by_role("button", name="锁定").click()
    text = page.locator("main").inner_text()
    assert "结束规划" in page.locator("h1").inner_text()
    assert "规划将结束" in text and "2020至2025年的数据都只能查看" in text
    assert "另一位审核员确认" in text
    page.get_by_role("button", name="申请结束规划").click()
    page.wait_for_url("**/years/")
    assert "等待另一位审核员确认" in page.locator(".message").inner_text()
    year = ReportingYear.objects.get(year=2025)
    assert not year.locked and year.close_requested_by == first
    final = page.locator('tr[data-year="2025"]')
    assert "reviewer 申请结束规划" in final.inner_text()
    # The one who asked is not offered the confirmation, only taking the request back.
    assert final.get_by_role("button", name="确认结束规划").count() == 0
    assert final.get_by_role("button", name="撤回申请").count() == 1

    page.context.clear_cookies()
    page = login(second)
    page.goto(live_server.url + "/years/")
    page.locator('tr[data-year="2025"]').get_by_role("button", name="确认结束规划").click()
    assert "reviewer 申请结束规划" in page.locator("main").inner_text()
    page.get_by_role("button", name="确认结束规划").click()
    page.wait_for_url("**/years/")
    assert "规划已结束" in page.locator(".message").inner_text()
    year.refresh_from_db()
    assert year.locked and year.locked_by == second
