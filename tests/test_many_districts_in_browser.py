"""A leader of a plan with many districts chooses one on a phone: a search box that suggests the districts as he
types, on screen beside the year, instead of a dropdown of every district."""

import pytest

from dashboards.views import DROPDOWN_DISTRICTS
from planboard import roles
from plans.models import District
from tests.conftest import log_in

pytestmark = pytest.mark.browser

WIDTH = 390
MORE = DROPDOWN_DISTRICTS + 10


@pytest.fixture
def phone(browser, live_server, browser_plan, make_user):
    District.objects.bulk_create(
        District(code=f"99{n:04d}", name=f"测试县{n}", short_name=f"测{n}", slug=f"t{n}", kind="county", order=500 + n)
        for n in range(MORE)
    )
    make_user("leader", roles.LEADER)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "leader")
    yield page
    context.close()


def test_on_a_phone_a_leader_types_a_districts_name_and_sees_its_progress(phone, live_server):
    page = phone
    box = page.get_by_label("地区", exact=True)
    assert box.is_visible() and box.input_value() == "350000"
    box_edge = box.bounding_box()
    assert box_edge["x"] >= 0 and box_edge["x"] + box_edge["width"] <= WIDTH
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    # Every district is a suggestion of the box (the browser lists those matching what is typed).
    suggestions = page.evaluate("[...document.querySelector('input[name=district]').list.options].map(o => o.label)")
    assert len(suggestions) == District.objects.count() and "测试县7" in suggestions

    box.fill("测试县7")
    page.get_by_role("button", name="查看").click()

    page.wait_for_url("**district=**")
    assert "测试县7：截至" in page.locator("h2.as-of-title").inner_text()
    assert page.get_by_label("地区", exact=True).input_value() == "990007"


def test_on_a_district_page_the_search_box_opens_the_district_picked(phone, live_server):
    page = phone
    page.goto(f"{live_server.url}/districts/350100/?year=2023")
    assert page.locator(".district-links").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH

    page.get_by_label("地区", exact=True).fill("990012")
    page.get_by_role("button", name="查看").click()

    page.wait_for_url("**/districts/990012/?year=2023")
    assert "测试县12指标进展" in page.locator("h1").inner_text()
