"""In chromium: a long grid with bad cells far down lists every one of them at the top, each a link to its cell;
保存草稿 saves the good cells and keeps the bad ones as typed, marked; 提交审核 saves nothing while any cell is
wrong. On a phone each indicator is a card with its input first."""

import re

import pytest
from playwright.sync_api import expect

from figures.models import Observation
from planboard import roles

pytestmark = pytest.mark.browser


def bad_cells_far_down(page, live_server):
    page.goto(f"{live_server.url}/report/350000/2021/")
    values = page.locator('input[name$="-value"]')
    last = values.count() - 1
    assert last > 30  # the province reports every indicator: the bad cells are far below the first screen
    values.nth(1).fill("99.6")
    values.nth(last - 1).fill("1,2,3")
    values.nth(last).fill("abc")
    return [values.nth(n).get_attribute("id") for n in (last - 1, last)]


def test_a_draft_saves_the_good_cells_and_lists_every_bad_one_with_a_link(browser_plan, make_user, login, live_server):
    page = login(make_user("official", roles.OFFICIAL, districts=["province"]))
    bad = bad_cells_far_down(page, live_server)

    page.get_by_role("button", name="保存草稿").click()

    expect(page.locator(".message.error[role=alert]")).to_contain_text("2 项有误，未保存")
    summary = page.locator(".error-summary a")
    expect(summary).to_have_count(2)
    assert [summary.nth(n).get_attribute("href") for n in range(2)] == [f"#{id}" for id in bad]
    expect(page.locator(".messages, main")).to_contain_text("已保存草稿 1 项")
    assert list(Observation.objects.filter(year=2021).values_list("status", flat=True)) == ["draft"]
    # The bad cells keep what was typed, marked; the good one shows what was saved.
    expect(page.locator(f"#{bad[1]}")).to_have_value("abc")
    expect(page.locator(f"#{bad[1]}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator('input[name$="-value"]').nth(1)).to_have_value(re.compile(r"99\.6"))

    summary.nth(1).click()
    expect(page.locator(f"#{bad[1]}")).to_be_focused()
    assert page.evaluate("document.activeElement.getBoundingClientRect().top") < page.viewport_size["height"]

    # Correcting the bad cells and saving again works from this page (the saved cell's version was kept up).
    page.locator(f"#{bad[0]}").fill("12")
    page.locator(f"#{bad[1]}").fill("13")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".message.success").last).to_contain_text("已保存草稿")
    assert Observation.objects.filter(year=2021, status="draft").count() == 3


def test_submitting_with_a_bad_cell_saves_nothing(browser_plan, make_user, login, live_server):
    page = login(make_user("official", roles.OFFICIAL, districts=["province"]))
    bad = bad_cells_far_down(page, live_server)

    page.get_by_role("button", name="提交审核").click()

    expect(page.locator(".message.error[role=alert]")).to_contain_text("有误，未保存")
    expect(page.locator(".error-summary a")).to_have_count(2)
    expect(page.locator(f"#{bad[0]}")).to_be_focused()
    assert not Observation.objects.filter(year=2021).exists()


def test_on_a_phone_each_indicator_is_a_card_with_its_input_first(browser, browser_plan, make_user, live_server):
    from tests.conftest import log_in

    make_user("official_fuzhou", roles.OFFICIAL, districts=["fuzhou"])
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        log_in(page, live_server.url, "official_fuzhou")
        page.goto(f"{live_server.url}/report/350100/2024/")
        row = page.locator("tr[data-indicator]").first
        name, value = row.locator("th").bounding_box(), row.locator('input[name$="-value"]').bounding_box()
        assert 0 <= value["x"] and value["x"] + value["width"] <= 390, value
        past = row.locator("td.past").first.bounding_box()
        assert name["y"] < value["y"] < past["y"], (name, value, past)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
