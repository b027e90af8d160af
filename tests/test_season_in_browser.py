"""A whole reporting season in chromium: the province opens 2025 with a deadline; Fuzhou's official sees his to-do
and the count, enters and submits; Fuzhou's city reviewer approves; the province returns one with a comment; the
official gets the notice (page and e-mail), corrects and resubmits; both levels approve; the dashboard and 填报进度
show it, with Xiamen late."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from figures import pipeline, rounds
from figures.models import Observation
from planboard import roles
from plans.models import District, Indicator

pytestmark = pytest.mark.browser

FUZHOU = [
    "general_high_school_enrolment",
    "preschool_inclusive_inspection_counties",
    "compulsory_quality_balanced_counties",
]
TODAY = datetime.date(2026, 3, 20)


@pytest.fixture
def season(browser_plan, make_user, monkeypatch, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    monkeypatch.setattr(rounds, "today", lambda: TODAY)
    users = {
        "official": make_user("official_fuzhou", roles.OFFICIAL, districts=["fuzhou"]),
        "xiamen": make_user("official_xiamen", roles.OFFICIAL, districts=["xiamen"]),
        "city": make_user("reviewer_fuzhou", roles.CITY_REVIEWER, districts=["fuzhou"]),
        "province": make_user("reviewer", roles.REVIEWER),
    }
    users["official"].email = "fuzhou@example.org"
    users["official"].save()
    return users


def baseline(code, slug):
    """The 2020 figure (no large move to confirm), or a count of 1 where the plan has none."""
    figure = Observation.objects.filter(indicator__code=code, district__slug=slug, year=2020).first()
    return figure.value if figure else 1


def test_a_whole_season(season, page, login, live_server, monkeypatch):
    url = live_server.url

    def log_in(user):
        page.context.clear_cookies()  # logged out: the login helper presses the page's first submit button
        return login(user)

    # The province opens 2025 with a deadline on the 年度 page.
    log_in(season["province"])
    page.goto(url + "/years/")
    page.fill("#deadline-2025", "2026-03-31")
    page.locator('tr[data-year="2025"] button', has_text="开启填报").click()
    page.wait_for_selector("text=2025年已开启填报")

    # Fuzhou's official lands on 待办: the deadline, the days left, three cells to enter, the count in the header.
    log_in(season["official"])
    assert page.url.endswith("/todo/")
    assert page.locator(".todo-count").inner_text() == "3"
    todo = page.locator('.todo-district[data-district="350100"]')
    assert "2026-03-31" in todo.inner_text() and "还有 11 天" in todo.inner_text()
    todo.get_by_role("link").first.click()
    assert "截止日期：2026-03-31（还有 11 天）" in page.locator(".deadline").inner_text()
    for code in FUZHOU:
        row = page.locator(f'tr[data-indicator="{code}"]')
        row.locator("input[name$=-value]").fill(format(baseline(code, "fuzhou"), "f"))
        row.locator("textarea[name$=-reason]").fill("生源变化")
        row.locator("textarea[name$=-measures]").fill("加强统筹")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_selector("text=已提交审核 3 项")

    # Xiamen submits after the deadline: marked late, not refused.
    monkeypatch.setattr(rounds, "today", lambda: datetime.date(2026, 4, 2))
    pipeline.record_value(
        by=season["xiamen"],
        indicator=Indicator.objects.get(code="general_high_school_enrolment"),
        district=District.objects.get(slug="xiamen"),
        year=2025,
        value=baseline("general_high_school_enrolment", "xiamen"),
        action="submit",
        confirm=True,
        note="说明",
        reason="原因",
        measures="措施",
    )

    # Fuzhou's city reviewer approves all three; the province sees them, returns one with a comment.
    log_in(season["city"])
    assert "/todo/" in page.url and page.locator('table.waiting tr[data-district="350100"]').count() == 1
    page.goto(url + "/review/")
    page.get_by_label("全选").check()
    page.get_by_role("button", name="通过所选").click()
    page.wait_for_selector("text=已处理 3 项数据")

    log_in(season["province"])
    page.goto(url + "/review/")
    returned = page.locator('tr[data-district="350100"][data-indicator="general_high_school_enrolment"]')
    returned.locator("input[name^=comment-]").fill("请核对统计口径")
    returned.get_by_role("button", name="退回").click()
    page.wait_for_selector("text=已处理 1 项数据")

    # The official gets the notice on 待办 and by e-mail, corrects the figure and submits it again.
    call_command("send_notices", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1 and "请核对统计口径" in mail.outbox[0].body
    log_in(season["official"])
    notice = page.locator(".notice.unread", has_text="请核对统计口径")
    assert notice.count() == 1
    notice.get_by_role("link", name="去修改").click()
    row = page.locator('tr[data-indicator="general_high_school_enrolment"]')
    assert "请核对统计口径" in row.inner_text()
    row.locator("input[name$=-value]").fill("11.1")
    row.locator("textarea[name$=-note]").fill("按新口径")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_selector("text=已提交审核 1 项")

    # Both levels approve the corrected figure, then the province the other two.
    log_in(season["city"])
    page.goto(url + "/review/")
    page.locator("tr[data-observation]").get_by_role("button", name="通过").click()
    page.wait_for_selector("text=已处理 1 项数据")
    log_in(season["province"])
    page.goto(url + "/review/")
    page.select_option(".review-filters select[name=district]", "350100")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**district=350100**")
    page.get_by_label("全选").check()
    page.get_by_role("button", name="通过所选").click()
    page.wait_for_selector("text=已处理 3 项数据")
    assert Observation.objects.filter(district__slug="fuzhou", year=2025, status="approved").count() == 3

    # The dashboard shows Fuzhou's 2025 figure; 填报进度 shows Fuzhou on time and Xiamen late.
    page.goto(url + "/?district=350100&year=2025")
    assert "11.1" in page.locator("main").inner_text()
    page.goto(url + "/timeliness/?year=2025")
    fuzhou = page.locator('table.timeliness tr[data-district="350100"] td')
    xiamen = page.locator('table.timeliness tr[data-district="350200"] td')
    assert [fuzhou.nth(i).inner_text() for i in (2, 4, 5, 6)] == [
        "3",
        "3",
        "3",
        "0",
    ]  # submitted, approved, on time, late
    assert xiamen.nth(6).inner_text() == "1"
