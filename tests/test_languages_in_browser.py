"""In chromium set to English, planboard is Chinese until the user presses the English button in the header."""

import pytest

from planboard import roles
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def english_browser(browser, live_server):
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page, errors
    context.close()


def test_the_header_switch_turns_the_site_english_and_back(english_browser, browser_plan, make_user, live_server):
    page, errors = english_browser
    make_user("leader", roles.LEADER)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "登录"

    page.get_by_role("button", name="English").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "Log in"
    page.fill("#id_username", "leader")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/plans/*/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".brand").inner_text() == "planboard"
    assert page.get_by_role("link", name="Gross enrolment rate in preschool education").is_visible()
    page.screenshot(path="/tmp/planboard-english.png")

    page.get_by_role("button", name="简体中文").click()
    page.wait_for_url(f"{live_server.url}/plans/*/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator(".brand").inner_text() == "教育规划监测平台"
    assert page.get_by_role("link", name="学前教育毛入园率").is_visible()
    page.screenshot(path="/tmp/planboard-chinese.png")
    assert not [e for e in errors if "Content Security Policy" in e]
