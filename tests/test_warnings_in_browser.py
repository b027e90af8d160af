"""The 预警 box on the dashboard, in chromium, with the demo figures: each entry says in words why it is there,
in a warning style; no green status badge sits in it, and nothing in it is on or ahead of its path."""

import pytest
from django.core.management import call_command

from planboard import roles

pytestmark = pytest.mark.browser

GOOD = ".badge.status-ahead, .badge.status-on_track, .badge.status-achieved"


@pytest.mark.parametrize("district", ["350000", "350100"])
def test_the_warning_box_says_why_in_words_without_green_badges(browser_plan, make_user, login, live_server, district):
    call_command("load_demo", verbosity=0)
    page = login(make_user("leader", roles.LEADER))
    page.goto(f"{live_server.url}/?district={district}&year=2024")
    box = page.locator("section.warnings")
    if district == "350000":
        assert box.count() == 1, "the demo figures put something on the province's 预警 list"
    elif box.count() == 0:
        return
    assert box.locator(GOOD).count() == 0
    border = box.evaluate("b => getComputedStyle(b).borderLeftColor")
    assert border != "rgb(229, 57, 53)", "a red box"
    entries = box.locator("li[data-indicator]")
    for n in range(entries.count()):
        entry = entries.nth(n)
        reason = entry.locator(".warning-reason")
        assert reason.count() == 1 and reason.inner_text().strip(), entry.inner_text()
        text = entry.inner_text()
        assert "快于预期" not in text, text
        assert "按进度应达" not in text or "难以实现" in text or "约束性" in text, text
