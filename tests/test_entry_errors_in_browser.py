"""In chromium: a long grid with one bad cell far down says so at the top, puts the cursor on that cell, and
saves nothing, not even the good cells above it."""

import re

import pytest
from playwright.sync_api import expect

from figures.models import Observation
from planboard import roles

pytestmark = pytest.mark.browser


def test_one_bad_cell_far_down_is_announced_focused_and_nothing_is_saved(browser_plan, make_user, login, live_server):
    official = make_user("official", roles.OFFICIAL, districts=["province"])
    page = login(official)
    page.goto(f"{live_server.url}/report/350000/2021/")
    values = page.locator('input[name$="-value"]')
    last = values.count() - 1
    assert last > 30  # the province reports every indicator: the bad cell is far below the first screen
    values.nth(1).fill("99.6")
    values.nth(last).fill("abc")
    bad_name = values.nth(last).get_attribute("name")

    page.get_by_role("button", name="保存草稿").click()

    expect(page.locator(".message.error[role=alert]")).to_contain_text("1 项有误，未保存")
    expect(page.locator(f'input[name="{bad_name}"]')).to_be_focused()
    assert page.evaluate("document.activeElement.getBoundingClientRect().top") < page.viewport_size["height"]
    expect(page.locator(f'input[name="{bad_name}"]')).to_have_value("abc")
    expect(page.locator('input[name$="-value"]').nth(1)).to_have_value(re.compile(r"99\.6"))
    assert not Observation.objects.filter(year=2021).exists()
