"""In chromium: the province's official fills in the grid and submits, a reviewer approves, and the leader's
dashboard then shows the new figure and its status."""

import re

import pytest
from playwright.sync_api import expect

from planboard import roles

pytestmark = pytest.mark.browser

RATE = 'tr[data-indicator="putonghua_rate"]'  # 2020: 89.32%, target 92% by 2025


def log_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_an_official_submits_a_reviewer_approves_and_the_leader_sees_it(browser_plan, make_user, login, live_server):
    official = make_user("official", roles.OFFICIAL, districts=["province"])
    reviewer = make_user("reviewer", roles.REVIEWER)
    leader = make_user("leader", roles.LEADER)

    page = login(official)
    page.get_by_role("link", name="我的填报").click()
    page.locator('a[href$="/report/350000/2021/"]').click()
    expect(page.locator("h1")).to_have_text("全省 2021年数据填报")
    row = page.locator(RATE)
    expect(row.locator(".state")).to_have_text("未填报")
    row.locator('input[name$="-value"]').fill("９０．５%")
    row.locator('input[name$="-source"]').fill("国家语委抽样调查")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".message.success")).to_contain_text("已提交审核 1 项")
    expect(page.locator(RATE).locator(".state")).to_have_text("已提交")
    log_out(page)

    login(reviewer)
    page.get_by_role("link", name="审核", exact=True).click()
    pending = page.locator(RATE)
    expect(pending).to_contain_text("90.5")
    expect(pending).to_contain_text("+1.18 个百分点")
    pending.get_by_role("button", name="通过").click()
    expect(page.locator(".message.success")).to_contain_text("已处理 1 项数据")
    expect(page.locator(RATE)).to_have_count(0)
    log_out(page)

    login(leader)
    page.goto(f"{live_server.url}/?year=2021")
    dashboard_row = page.locator(f"table.progress-table {RATE}")
    expect(dashboard_row.locator("td.latest")).to_contain_text("90.5")
    expect(dashboard_row.locator("span.badge")).to_have_class(re.compile(r"status-ahead"))
    expect(dashboard_row.locator("span.badge")).to_have_text("快于预期")
