"""The review page as a reviewer reads it in chromium: at 1440 × 900 every column fits and reads (no clipped
退回, a 说明 wider than a word); on a phone (390 × 844) each figure is a card with its value, note and buttons on
screen. A reviewer's own figures are listed, without a tick box, saying why, and no page offers him a step that
would be refused."""

import pytest
from django.core.management import call_command

from figures import pipeline
from figures.models import Observation
from planboard import roles
from plans.models import District, Indicator

pytestmark = pytest.mark.browser

NOTE = "2024年统计口径调整，含民办高中在校生；数据来自省教育统计年鉴，已与市统计局核对。"


def submit(user, slug, code, value, note=NOTE):
    return pipeline.record_value(
        by=user,
        indicator=Indicator.objects.get(code=code),
        district=District.objects.get(slug=slug),
        year=2025,
        value=value,
        action="submit",
        confirm=True,
        note=note,
        reason="生源增加，学位供给不足",
        measures="新建两所高中，扩大招生",
    )


@pytest.fixture
def pending(browser_plan, make_user):
    call_command("load_demo", verbosity=0)
    Observation.objects.filter(year=2024, district__slug__in=["fuzhou", "xiamen"]).update(
        status="submitted", approved_at=None, approved_by=None
    )
    reviewer = make_user("reviewer", roles.REVIEWER)
    official = make_user("official_fuzhou", roles.OFFICIAL, districts=["fuzhou"])
    submit(official, "fuzhou", "general_high_school_enrolment", "15.2")
    own = submit(reviewer, "putian", "general_high_school_enrolment", "6.1")
    return reviewer, own


def open_review(logged_in_at, live_server, reviewer, width, height, mobile=False):
    page = logged_in_at(reviewer, width, height, phone=mobile)  # 待办, a reviewer's landing page
    page.goto(live_server.url + "/review/")
    return page.context, page


def box(locator):
    return locator.bounding_box()


@pytest.mark.parametrize("english", [False, True])
def test_at_1440_every_column_of_the_review_table_fits_and_reads(pending, logged_in_at, live_server, english):
    reviewer, _own = pending
    context, page = open_review(logged_in_at, live_server, reviewer, 1440, 900)
    try:
        if english:
            page.get_by_role("button", name="English").click()
            page.wait_for_load_state("load")
        scroller = page.locator(".review-table").evaluate(
            "t => [t.parentElement.scrollWidth, t.parentElement.clientWidth]"
        )
        assert scroller[0] <= scroller[1], "the table scrolls sideways at 1440 px"
        row = page.locator("tr[data-observation]").filter(has_text=NOTE[:10]).first
        returned = box(row.locator("button[value^=return-]"))
        assert returned["x"] + returned["width"] <= 1440
        note = box(row.locator("td.note"))
        assert note["width"] >= 160, f"说明 is {note['width']} px wide"
        for header in page.locator(".review-table thead th").all():
            assert box(header)["width"] >= 24
    finally:
        context.close()


def test_on_a_phone_each_figure_is_a_card_with_its_buttons_on_screen(pending, logged_in_at, live_server):
    reviewer, _own = pending
    context, page = open_review(logged_in_at, live_server, reviewer, 390, 844, mobile=True)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        card = page.locator("tr[data-observation]").filter(has_text=NOTE[:10]).first
        card_box = box(card)
        assert card_box["x"] >= 0 and card_box["x"] + card_box["width"] <= 390
        for part in (card.locator("td.note"), card.get_by_role("button", name="退回"), card.locator("td.value")):
            part_box = box(part)
            assert part_box["x"] >= 0 and part_box["x"] + part_box["width"] <= 390, part_box
        labels = card.locator("td[data-label]").evaluate_all(
            "cells => cells.map(c => getComputedStyle(c, '::before').content)"
        )
        assert '"说明 "' in labels and '"数值 "' in labels, labels
    finally:
        context.close()


def test_a_reviewers_own_figure_is_listed_without_a_tick_box_and_its_history_offers_no_approval(
    pending, logged_in_at, live_server
):
    reviewer, own = pending
    context, page = open_review(logged_in_at, live_server, reviewer, 1440, 900)
    try:
        row = page.locator(f'tr[data-observation="{own.pk}"]')
        assert row.count() == 1
        assert row.locator("input[name=selected]").count() == 0
        assert "本人填报，须由其他审核员审核" in row.inner_text()
        assert row.get_by_role("button", name="通过").count() == 0
        row.get_by_role("link", name="普通高中在校生").click()
        page.wait_for_url("**/history/")
        assert page.get_by_role("button", name="审核通过").count() == 0
        assert "须由其他审核员审核通过" in page.locator("main").inner_text()
        assert page.get_by_role("button", name="退回").count() == 1
    finally:
        context.close()
