"""On a phone (390 × 844), the pages people read on the go fit the screen: nothing scrolls sideways, and every
status badge is on screen with a size, not pushed off to the right or squeezed to nothing."""

import os

import pytest
from django.core.management import call_command

from planboard import roles
from plans.models import District
from tests import story
from tests.conftest import log_in

pytestmark = pytest.mark.browser

WIDTH = 390
PAGES = [
    ("leader", "/"),
    ("leader", "/?district=350100&year=2023"),
    ("leader", "/indicators/general_high_school_enrolment/?district=350100"),
    ("leader", "/indicators/higher_ed_gross_enrolment/"),
    ("leader", "/districts/350100/"),
    ("leader", "/district-targets/"),
    ("leader", "/overview/"),
    ("official_fuzhou", "/report/"),
    ("official_fuzhou", "/report/350100/2024/"),
    ("reviewer", "/review/"),
    ("reviewer", "/years/"),
]


@pytest.fixture
def phone(browser, live_server, browser_plan, make_user):
    call_command("load_demo", verbosity=0)
    make_user("leader", roles.LEADER)
    make_user("official_fuzhou", roles.OFFICIAL, districts=["fuzhou"])
    make_user("reviewer", roles.REVIEWER)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)

    def open_as(username, path):
        context.clear_cookies()
        log_in(page, live_server.url, username)
        page.goto(live_server.url + path)
        return page

    yield open_as
    context.close()


def _offenders(page):
    """Elements reaching past the right edge, to say what overflows when the test fails."""
    return page.evaluate(
        """(width) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1 && !e.parentElement.closest('[data-scrolls]'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
        WIDTH,
    )


@pytest.mark.parametrize(("username", "path"), PAGES)
def test_a_phone_shows_the_page_without_sideways_scrolling_and_every_badge_on_screen(phone, username, path):
    page = phone(username, path)
    page.wait_for_load_state("load")
    if page.locator("[data-chart]").count():
        page.locator("[data-chart] svg").first.wait_for()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= WIDTH, _offenders(page)
    badges = page.locator("main .badge")
    for i in range(badges.count()):
        box = badges.nth(i).bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, f"badge {i} has no size"
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 0.5, f"badge {i} is off screen: {box}"


def test_the_dashboard_on_a_phone_lists_indicators_as_cards_status_first(phone):
    page = phone("leader", "/")
    card = page.locator('tr[data-indicator="higher_ed_gross_enrolment"]')
    badge, name = card.locator(".badge").bounding_box(), card.locator(".indicator-name").bounding_box()
    assert badge["y"] + badge["height"] <= name["y"] + 1, "the status comes first on a card"
    assert name["width"] > WIDTH * 0.6, "the indicator's name has the card's width, not a narrow column"
    assert page.locator(".modebar").count() == 0 or not page.locator(".modebar").first.is_visible()
    if os.environ.get("PLANBOARD_SCREENSHOT"):
        page.wait_for_timeout(500)
        clip = {"x": 0, "y": 0, "width": WIDTH, "height": 2000}
        page.screenshot(path="docs/phone-dashboard.png", clip=clip, full_page=True)


def test_the_open_data_page_fits_a_phone(browser, live_server, browser_plan, make_user):
    """Anyone, on a phone, without logging in: the published plan's figures by district and year."""
    browser_plan.published = True
    browser_plan.save()
    reviewer = make_user("reviewer", roles.REVIEWER)
    for district in District.objects.all():
        for year in range(2021, 2025):
            story.approve(browser_plan, reviewer, district, "general_high_school_enrolment", year, "123.4567")
    context = browser.new_context(locale="zh-CN", viewport={"width": WIDTH, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/open/{browser_plan.code}/")
        assert page.locator("#general_high_school_enrolment table tbody tr").count() == District.objects.count()
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, _offenders(page)
    finally:
        context.close()
