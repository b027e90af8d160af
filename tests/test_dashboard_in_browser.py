"""A leader opens the dashboard in Debian's chromium and sees the charts drawn and the statuses.

`PLANBOARD_SCREENSHOT=docs/dashboard.png` also saves what the leader sees, for the README.
"""

import os

import pytest
from django.core.management import call_command

from planboard import roles

pytestmark = pytest.mark.browser


@pytest.fixture
def leader_page(browser_plan, make_user, login):
    call_command("load_demo", verbosity=0)
    return login(make_user("leader", roles.LEADER))


def test_a_leader_sees_the_status_chart_drawn_and_the_badges(leader_page, live_server):
    page = leader_page
    messages = []
    page.on("console", lambda message: messages.append(message) if message.type == "error" else None)
    page.on("pageerror", lambda error: messages.append(error))
    page.goto(live_server.url + "/")

    chart = page.locator('[data-chart="status-chart"]')
    chart.locator("svg").first.wait_for()
    assert chart.locator("g.trace.bars").count() >= 3  # one stack per status present
    assert "全省" in chart.inner_text()
    row = page.locator('tr[data-indicator="higher_ed_gross_enrolment"]')
    assert "高等教育毛入学率" in row.inner_text()
    assert row.locator("td.latest").inner_text().strip()[0].isdigit()
    assert row.locator(".badge").is_visible()
    assert page.locator(".status-counts .badge").count() >= 3
    assert page.locator("h1").inner_text() == "福建省“十四五”教育发展专项规划"
    assert messages == []

    if os.environ.get("PLANBOARD_SCREENSHOT"):
        page.wait_for_timeout(500)  # plotly's transitions
        page.screenshot(
            path=os.environ["PLANBOARD_SCREENSHOT"],
            full_page=True,
            clip={"x": 0, "y": 0, "width": 1400, "height": 1500},
        )


def test_choosing_a_district_and_opening_an_indicator_draws_its_charts(leader_page, live_server):
    page = leader_page
    page.select_option('select[name="district"]', label="福州市")
    page.select_option('select[name="year"]', "2023")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**district=350100**")
    assert "福州市：截至2023年的进展" in page.locator("h2.as-of-title").inner_text()
    assert page.locator("tr[data-indicator]").count() == 3

    page.get_by_role("link", name="普通高中在校生").click()

    page.locator('[data-chart="path-chart"] svg').first.wait_for()
    page.locator('[data-chart="comparison-chart"] svg').first.wait_for()
    assert "福州市：截至2023年" in page.locator(".verdict h2").inner_text()
    assert "2023年实际值" in page.locator(".verdict .explanation").inner_text()
    assert page.locator('[data-chart="path-chart"] .scatterlayer .trace').count() >= 4
