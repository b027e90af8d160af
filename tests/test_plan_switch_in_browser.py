"""A leader reading an indicator of the 十四五 plan picks the next plan in the header's switcher and lands on the
same indicator there; on a phone the switcher fits the screen."""

import pytest

from figures.plan_loading import load_plan
from planboard import roles
from tests.conftest import FUJIAN, log_in
from tests.figures.test_plan_workbook_pages import small_plan

pytestmark = pytest.mark.browser


@pytest.fixture
def two_plans(browser_plan):
    load_plan(small_plan())


def test_the_switcher_opens_the_same_indicator_in_the_other_plan(two_plans, make_user, login, live_server):
    page = login(make_user("leader", roles.LEADER))
    page.goto(f"{live_server.url}/plans/{FUJIAN}/indicators/higher_ed_gross_enrolment/")
    assert "2021–2025" in page.locator(".plan-name").inner_text()
    assert not page.locator(".plan-switch-go").is_visible()  # the script switches on a change
    page.select_option("#plan-switch", "next-plan")
    page.wait_for_url("**/plans/next-plan/indicators/higher_ed_gross_enrolment/")
    assert "《“十五五”教育发展规划（试）》" in page.locator(".plan-name").inner_text()
    assert "2026–2030" in page.locator(".plan-name").inner_text()
    assert page.locator("#plan-switch").input_value() == "next-plan"
    page.select_option("#plan-switch", FUJIAN)
    page.wait_for_url(f"**/plans/{FUJIAN}/indicators/higher_ed_gross_enrolment/")


def test_the_switcher_fits_a_phone(two_plans, browser, make_user, live_server):
    make_user("leader", roles.LEADER)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, live_server.url, "leader")
    box = page.locator("#plan-switch").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
