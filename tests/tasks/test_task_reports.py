"""Province officials and reviewers report each year how a task is going; every change is kept."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from figures import review
from planboard import roles
from plans.models import Task
from tasks import services
from tasks.models import TaskReport, TaskStatus

pytestmark = pytest.mark.django_db

# Request overhead (session read and save in a savepoint, user, two permission lookups: 7), the header's plan and
# demo flag (2), then the page's own: plan, task, province, the task's indicators with their province targets (2),
# Plan.assess (3), items, text targets, reports and the history (12).
PAGE_QUERIES = 23  # the default as-of year counts approved pairs and pairs with targets (2)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post_report(client, number, year, **fields):
    """What the task page's form posts, with the version of the report it showed (0 when none yet)."""
    shown = TaskReport.objects.filter(task__number=number, year=year).values_list("version", flat=True).first()
    data = {
        "status": TaskStatus.IN_PROGRESS,
        "summary": "已印发实施方案",
        "evidence_links": "",
        "version": shown or 0,
        **fields,
    }
    return client.post(reverse("tasks:report", args=[number, year]), data)


def task(plan, number):
    return Task.objects.get(plan=plan, number=number)


def test_a_reviewer_reports_on_a_task_and_sees_it_on_the_task_page(client, reviewer, plan):
    client.force_login(reviewer)
    response = post_report(
        client,
        5,
        2024,
        status=TaskStatus.LAGGING,
        summary="普惠性幼儿园覆盖率偏低，正在督促各地扩大供给。",
        evidence_links="https://jyt.fujian.gov.cn/notice/1\n\n  https://jyt.fujian.gov.cn/notice/2  ",
        text_target_notes="每个县公办园在园幼儿占比：已有 60 个县达到 50%。",
    )

    assert response.status_code == 302
    report = TaskReport.objects.get(task=task(plan, 5), year=2024)
    assert (report.status, report.entered_by) == (TaskStatus.LAGGING, reviewer)
    assert report.links == ["https://jyt.fujian.gov.cn/notice/1", "https://jyt.fujian.gov.cn/notice/2"]
    html = client.get(response["Location"]).content.decode()
    assert "2024年度任务进展已保存。" in html
    assert "普惠性幼儿园覆盖率偏低" in html and "已有 60 个县达到 50%" in html
    assert '<a href="https://jyt.fujian.gov.cn/notice/2" rel="noopener noreferrer"' in html


def test_changing_a_report_keeps_who_changed_what_and_when(client, make_user, reviewer, plan):
    official = make_user("official_province", roles.OFFICIAL, districts=["province"])
    client.force_login(official)
    post_report(client, 12, 2023, status=TaskStatus.NOT_STARTED, summary="尚未启动。")
    client.force_login(reviewer)
    post_report(client, 12, 2023, status=TaskStatus.IN_PROGRESS, summary="已启动基础能力建设项目。")

    report = TaskReport.objects.get(task=task(plan, 12), year=2023)
    history = list(report.history.order_by("history_date"))
    assert [(h.history_user, h.status, h.summary) for h in history] == [
        (official, TaskStatus.NOT_STARTED, "尚未启动。"),
        (reviewer, TaskStatus.IN_PROGRESS, "已启动基础能力建设项目。"),
    ]
    html = client.get(reverse("tasks:detail", args=[12]), {"year": 2023}).content.decode()
    history_table = re.search(r'<table class="data compact" id="task-report-history">.*?</table>', html, re.S).group(0)
    assert "尚未启动。" in history_table and "已启动基础能力建设项目。" in history_table
    assert "official_province" in history_table and "reviewer" in history_table


def test_saving_the_same_report_again_adds_no_history(reviewer, plan):
    fields = {"task": task(plan, 3), "year": 2022, "by": reviewer, "status": TaskStatus.COMPLETED, "summary": "完成"}
    services.save_task_report(**fields)
    services.save_task_report(**fields)

    assert TaskReport.history.filter(task_id=task(plan, 3).pk).count() == 1


@pytest.mark.parametrize("who", ["official_fuzhou", "leader", "analyst"])
def test_city_officials_leaders_and_analysts_may_not_report(client, request, plan, who):
    user = request.getfixturevalue(who)
    client.force_login(user)

    assert post_report(client, 5, 2024).status_code == 403
    assert not TaskReport.objects.exists()
    assert 'id="report-form-title"' not in client.get(reverse("tasks:detail", args=[5])).content.decode()
    with pytest.raises(PermissionDenied):
        services.save_task_report(task=task(plan, 5), year=2024, by=user, status="in_progress", summary="x")


def test_anyone_given_the_task_report_permission_may_report(client, make_user, plan):
    secretary = make_user("secretary", roles.LEADER)
    secretary.user_permissions.add(Permission.objects.get(codename="report_task", content_type__app_label="tasks"))
    client.force_login(secretary)

    assert post_report(client, 7, 2025).status_code == 302
    assert TaskReport.objects.filter(task=task(plan, 7), year=2025, entered_by=secretary).exists()


def test_the_reviewer_role_carries_the_task_report_permission(reviewer):
    assert reviewer.has_perm("tasks.report_task")


def test_a_report_needs_a_status_and_a_summary_and_says_so(client, reviewer, plan):
    client.force_login(reviewer)
    response = post_report(client, 5, 2024, status="", summary="   ")

    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"status", "summary"}
    assert not TaskReport.objects.exists()


def test_an_evidence_link_that_is_not_a_web_address_is_refused_naming_its_line(client, reviewer):
    client.force_login(reviewer)
    response = post_report(client, 5, 2024, evidence_links="https://jyt.fujian.gov.cn/a\njavascript:alert(1)")

    assert response.status_code == 400
    assert response.context["form"].errors["evidence_links"] == [
        "第2行“javascript:alert(1)”不是以 http:// 或 https:// 开头的网址。"
    ]
    assert not TaskReport.objects.exists()


def test_an_uploaded_evidence_file_is_kept_and_downloaded_by_logged_in_users(client, reviewer, leader, plan):
    client.force_login(reviewer)
    pdf = SimpleUploadedFile("实施方案.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert post_report(client, 8, 2024, evidence_file=pdf).status_code == 302

    client.force_login(leader)
    response = client.get(reverse("tasks:evidence", args=[8, 2024]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    client.logout()
    assert client.get(reverse("tasks:evidence", args=[8, 2024])).status_code == 302  # to the login page


def test_replacing_the_evidence_keeps_the_old_file_in_the_history(client, reviewer, plan):
    client.force_login(reviewer)
    post_report(client, 8, 2024, evidence_file=SimpleUploadedFile("first.pdf", b"%PDF one"))
    post_report(client, 8, 2024, evidence_file=SimpleUploadedFile("second.pdf", b"%PDF two"))

    report = TaskReport.objects.get(task=task(plan, 8), year=2024)
    names = [h.evidence_file for h in report.history.order_by("history_date")]  # the history keeps the path
    assert [name.rsplit("/", 1)[-1] for name in names] == ["first.pdf", "second.pdf"]
    assert report.evidence_file.storage.exists(names[0])


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("script.exe", 10, "文件扩展“exe”是不被允许。"),
        ("huge.pdf", 10 * 1024 * 1024 + 1, "佐证材料不能超过 10 MB。"),
    ],
)
def test_evidence_of_the_wrong_type_or_too_large_is_refused(client, reviewer, name, size, message):
    client.force_login(reviewer)
    response = post_report(client, 8, 2024, evidence_file=SimpleUploadedFile(name, b"x" * size))

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["evidence_file"])
    assert not TaskReport.objects.exists()


def test_a_locked_year_refuses_reports(client, reviewer, plan):
    review.lock_year(plan=plan, year=2023, by=reviewer)
    client.force_login(reviewer)
    response = post_report(client, 5, 2023)

    assert response.status_code == 400
    assert "2023年度已锁定，数据不能再修改。" in response.content.decode()
    assert not TaskReport.objects.exists()


def test_only_the_plans_years_after_the_base_year_take_reports(client, reviewer):
    client.force_login(reviewer)

    assert post_report(client, 5, 2020).status_code == 404
    assert post_report(client, 5, 2026).status_code == 404
    assert client.get(reverse("tasks:detail", args=[5]), {"year": 2026}).status_code == 404


def test_a_task_with_incomplete_source_text_carries_a_data_quality_note(client, leader):
    client.force_login(leader)

    flagged = client.get(reverse("tasks:detail", args=[8])).content.decode()
    clean = client.get(reverse("tasks:detail", args=[1])).content.decode()

    assert "本任务在规划原件中的文字残缺不全（复原可信度：低）" in flagged
    assert "数据质量提示" not in clean


def test_the_task_page_shows_items_indicators_and_text_targets(client, leader):
    client.force_login(leader)
    html = client.get(reverse("tasks:detail", args=[7])).content.decode()

    assert "任务7：特殊教育提升" in html
    text_targets = re.search(r'id="task-text-targets">.*?</table>', html, re.S).group(0)
    assert "人口20万以上县（市、区）…1所标准化特殊教育学校" in text_targets
    assert "与2025年目标为同一目标的不同年份表述" in text_targets  # the 附件2 restatement for 2023
    assert "每县、每校或每生须达到的标准，无全省单一数值" in text_targets

    html = client.get(reverse("tasks:detail", args=[9])).content.decode()
    indicators = re.search(r'id="task-indicators">.*?</table>', html, re.S).group(0)
    assert "50名名校（园）长" in indicators and "2025年 50" in indicators


def test_an_unknown_task_is_404(client, leader):
    client.force_login(leader)
    assert client.get(reverse("tasks:detail", args=[31])).status_code == 404


def test_the_task_page_needs_a_bounded_number_of_queries(client, leader, reviewer, plan, django_assert_max_num_queries):
    client.force_login(leader)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("tasks:detail", args=[17])).status_code == 200

    for year in (2021, 2022, 2023, 2024, 2025):
        for status in TaskStatus.values:
            services.save_task_report(task=task(plan, 17), year=year, by=reviewer, status=status, summary=status)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("tasks:detail", args=[17])).status_code == 200
