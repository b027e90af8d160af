"""A reviewer in chromium filters the review list, ticks every figure with 全选 (not their own), approves the
selection, and locks a year after reading what is still unfinished."""

import pytest

from figures import pipeline
from figures.models import Observation, ReportingYear
from planboard import roles
from plans.models import District, Indicator

pytestmark = pytest.mark.browser


def submit(user, slug, year, action="submit"):
    return pipeline.record_value(
        by=user,
        indicator=Indicator.objects.get(code="general_high_school_enrolment"),
        district=District.objects.get(slug=slug),
        year=year,
        value="11.2",
        action=action,
        confirm=True,
        note="说明",
        reason="原因",
        measures="措施",
    )


@pytest.fixture
def reviewer_page(browser_plan, make_user, login):
    fuzhou = make_user("official_fuzhou", roles.OFFICIAL, districts=["fuzhou"])
    xiamen = make_user("official_xiamen", roles.OFFICIAL, districts=["xiamen"])
    reviewer = make_user("reviewer", roles.REVIEWER)
    figures = {
        "fuzhou": submit(fuzhou, "fuzhou", 2022),
        "fuzhou-2023": submit(fuzhou, "fuzhou", 2023),
        "xiamen": submit(xiamen, "xiamen", 2022),
        "own": submit(reviewer, "putian", 2022),
    }
    return login(reviewer), figures


def test_filtering_then_selecting_all_approves_the_shown_figures_but_not_ones_own(reviewer_page, live_server):
    page, figures = reviewer_page
    page.goto(live_server.url + "/review/")
    # The reviewer's own figure is listed but cannot be ticked (four eyes): another reviewer approves it.
    assert page.locator("tr[data-observation]").count() == 4
    assert page.locator(f'tr[data-observation="{figures["own"].pk}"] input[name=selected]').count() == 0
    page.select_option(".review-filters select[name=year]", "2022")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**year=2022**")
    assert page.locator("tr[data-observation]").count() == 3

    select_all = page.get_by_label("全选")
    assert select_all.is_visible()
    select_all.check()
    ticked = page.locator("input[name=selected]:checked")
    assert ticked.count() == 2  # Fuzhou's and Xiamen's
    page.get_by_role("button", name="通过所选").click()
    page.wait_for_url("**year=2022**")
    assert "已处理 2 项数据" in page.locator(".message").inner_text()
    statuses = dict(Observation.objects.values_list("pk", "status"))
    assert statuses[figures["fuzhou"].pk] == statuses[figures["xiamen"].pk] == "approved"
    assert statuses[figures["own"].pk] == statuses[figures["fuzhou-2023"].pk] == "submitted"


def test_locking_a_year_with_unfinished_figures_asks_first(reviewer_page, live_server):
    page, figures = reviewer_page
    page.goto(live_server.url + "/years/")
    page.locator('tr[data-year="2022"]').get_by_role("button", name="锁定").click()
    assert "确认锁定2022年度" in page.locator("h1").inner_text()
    assert "还有 3 项数据未审核通过" in page.locator(".message").inner_text()
    assert page.locator('tr[data-district="350100"] td.num').inner_text() == "1"
    assert not ReportingYear.objects.filter(year=2022, locked=True).exists()
    page.get_by_role("button", name="仍然锁定2022年度").click()
    page.wait_for_url("**/years/")
    assert "2022年度已锁定" in page.locator(".message").inner_text()
    assert ReportingYear.objects.get(year=2022).locked
