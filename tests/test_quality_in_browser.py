"""The 数据质量 page in chromium: on a desktop every section and the districts' counts are on screen; on a phone
(390 px) nothing scrolls sideways, the wide tables scroll inside their own box."""

import os
from decimal import Decimal

import pytest
from django.core.management import call_command

from figures.models import Observation
from planboard import roles
from plans.models import District
from tests import story

pytestmark = pytest.mark.browser

ENROLMENT = "general_high_school_enrolment"


@pytest.fixture
def quality_page(logged_in_at, live_server, browser_plan, make_user):
    """The demo figures, with Longyan's 2024 enrolment half as large again as its 2023 one."""
    call_command("load_demo", verbosity=0)
    reviewer = make_user("reviewer", roles.REVIEWER)
    longyan = District.objects.get(slug="longyan")
    before = Observation.objects.get(indicator__code=ENROLMENT, district=longyan, year=2023).value
    story.approve(browser_plan, reviewer, longyan, ENROLMENT, 2024, (before * Decimal("1.5")).quantize(Decimal("0.01")))

    def open_at(width, height, *, phone=False):
        page = logged_in_at(reviewer, width, height, phone=phone)
        page.goto(f"{live_server.url}/plans/{browser_plan.code}/quality/?year=2024")
        return page

    return open_at


def _screenshot(page, name):
    folder = os.environ.get("PLANBOARD_SCREENSHOT")
    if folder and os.path.isdir(folder):
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_on_a_desktop_the_outlier_is_explained_and_the_districts_counted(quality_page):
    page = quality_page(1440, 900)
    outlier = page.locator("#outliers tbody tr", has_text="龙岩").first
    assert outlier.is_visible() and "修正 z 分数" in outlier.inner_text() and "同比 +" in outlier.inner_text()
    assert page.locator('.quality-districts tr[data-district="350800"]').is_visible()
    assert page.locator("#needs_review tbody tr").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    _screenshot(page, "quality-desktop.png")


def test_on_a_phone_nothing_scrolls_sideways(quality_page):
    page = quality_page(390, 844, phone=True)
    page.locator("#outliers tbody tr").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#outliers .table-scroll").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390.5
    _screenshot(page, "quality-phone.png")
