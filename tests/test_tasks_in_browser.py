"""A leader narrows the task list in chromium and opens a task; a reviewer reports on it."""

import pytest

from planboard import roles

pytestmark = pytest.mark.browser


def test_a_leader_filters_the_task_list_and_opens_a_task(browser_plan, make_user, login, live_server):
    page = login(make_user("leader", roles.LEADER))
    page.get_by_role("link", name="主要任务").click()
    assert page.locator("#task-table tbody tr").count() == 25

    page.get_by_label("类别").select_option("发展现代职业教育")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/tasks/?*category=*")
    numbers = page.locator("#task-table tbody tr td:first-child").all_inner_texts()
    assert numbers == ["11", "12", "13", "14", "15", "16", "17"]

    page.get_by_role("link", name="推进产教融合").click()
    assert page.locator("h1").inner_text() == "任务16：推进产教融合"
    assert page.locator("#task-indicators").get_by_role("link", name="100个产教融合型企业").is_visible()
    assert page.get_by_text("尚未填报年度进展。").is_visible()


def test_a_reviewer_reports_progress_and_sees_it_in_the_history(browser_plan, make_user, login, live_server):
    page = login(make_user("reviewer", roles.REVIEWER))
    page.goto(f"{live_server.url}/tasks/8/?year=2024")
    assert page.get_by_role("note").inner_text().startswith("数据质量提示")

    page.get_by_label("推进中").check()
    page.get_by_label("进展情况").fill("已完成一级达标高中评估。")
    page.get_by_role("button", name="保存").click()

    assert page.get_by_text("2024年度任务进展已保存。").is_visible()
    assert page.locator("#task-reports").get_by_text("推进中").is_visible()
    assert page.locator("#task-report-history").get_by_text("已完成一级达标高中评估。").is_visible()
