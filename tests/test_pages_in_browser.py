"""A person opens planboard in Debian's chromium and reads it in Chinese."""

import pytest

from planboard import roles

pytestmark = pytest.mark.browser


def test_a_leader_logs_in_and_sees_the_plan_in_chinese(browser_plan, make_user, login, live_server):
    page = login(make_user("leader", roles.LEADER))
    assert page.locator("h1").inner_text() == "福建省“十四五”教育发展专项规划"
    assert page.get_by_role("link", name="学前教育毛入园率").is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_an_anonymous_visitor_is_sent_to_the_login_page(page, browser_plan, live_server):
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url
    assert page.get_by_role("button", name="登录").is_visible()
