"""A leader finds indicators in the 规划期全景 from the header's search box, and prints it on A4 landscape.

`PLANBOARD_SCREENSHOT=1` also saves docs/overview.png for the README.
"""

import os
import re

import pytest
from django.core.management import call_command

from planboard import roles

pytestmark = pytest.mark.browser


@pytest.fixture
def leader_page(browser_plan, make_user, login):
    call_command("load_demo", verbosity=0)
    return login(make_user("leader", roles.LEADER))


def test_the_header_search_opens_the_overview_filtered(leader_page, live_server):
    page = leader_page
    page.fill(".header-search input[name=q]", "毛入学率")
    page.press(".header-search input[name=q]", "Enter")
    page.wait_for_url("**/overview/?q=*")
    rows = page.locator("table.plan-overview tbody tr[data-indicator]")
    assert rows.count() >= 2
    for i in range(rows.count()):
        assert "毛入学率" in rows.nth(i).locator("th").inner_text()
    cell = page.locator('tr[data-indicator="higher_ed_gross_enrolment"] td').last
    assert re.search(r"status-\w+", cell.get_attribute("class"))
    assert "目标" in cell.inner_text()


def test_the_print_button_prints_on_a4_landscape_without_the_controls(leader_page, live_server):
    page = leader_page
    page.goto(live_server.url + "/overview/")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("window.printed === true")

    landscape = page.evaluate(
        """() => [...document.styleSheets].flatMap(s => [...s.cssRules])
            .some(r => r instanceof CSSPageRule && /a4/i.test(r.cssText) && /landscape/.test(r.cssText))"""
    )
    assert landscape
    page.emulate_media(media="print")
    assert page.locator("table.plan-overview").is_visible()
    assert page.locator('tr[data-indicator="higher_ed_gross_enrolment"]').is_visible()
    assert not page.locator(".overview-filters").is_visible()
    assert not page.locator(".header-search").is_visible()
    assert not page.locator(".main-nav").is_visible()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)
    width, height = float(box.group(1)), float(box.group(2))
    assert width > height and abs(width - 842) < 2, "A4 landscape is 842 × 595 points"
    page.emulate_media(media="screen")

    if os.environ.get("PLANBOARD_SCREENSHOT"):
        page.wait_for_timeout(300)
        page.screenshot(path="docs/overview.png", clip={"x": 0, "y": 0, "width": 1400, "height": 1100}, full_page=True)
