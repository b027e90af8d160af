"""The reporting season: the province opens 2025 with a deadline, officials see their to-do, reviewers theirs,
notices tell each step, late figures are marked, and 填报进度 counts it all."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from figures import notices, pipeline, review, rounds
from figures.models import Notice, ReportingYear
from plans.models import Indicator

pytestmark = pytest.mark.django_db

ENROLMENT = "general_high_school_enrolment"
TODAY = datetime.date(2026, 3, 20)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The season's dates are those of a spring: 20 March 2026, the 2025 figures due on 31 March."""
    monkeypatch.setattr(rounds, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def submit(plan, district):
    def make(user, slug, value="11.09", code=ENROLMENT, year=2025, action="submit", version=None):
        return pipeline.record_value(
            by=user,
            indicator=Indicator.objects.get(plan=plan, code=code),
            district=district(slug),
            year=year,
            value=value,
            action=action,
            version=version,
            confirm=True,
            note="说明",
            reason="原因",
            measures="措施",
        )

    return make


@pytest.fixture
def opened(plan, reviewer):
    return rounds.open_round(plan=plan, year=2025, deadline="2026-03-31", by=reviewer)


def test_a_province_reviewer_opens_2025_on_the_year_page_and_moves_the_deadline(client, plan, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("season:year-round", args=[2025]), {"deadline": "2026-03-31"}, follow=True)
    assert "2025年已开启填报" in response.content.decode()
    client.post(reverse("season:year-round", args=[2025]), {"deadline": "2026-04-15"})
    page = client.get(reverse("figures:year-locks")).content.decode()
    assert "2026-04-15" in page and "2026-03-31" in page  # the history keeps the first deadline
    assert ReportingYear.objects.get(plan=plan, year=2025).opened_by == reviewer


@pytest.mark.parametrize(
    "raw, words",
    [
        ("31/03/2026", "不是日期"),
        ("2026-02-30", "不是日期"),
        ("", "不是日期"),
        ("1999-03-31", "须在"),
        ("2030-01-01", "须在"),
    ],
)
def test_bad_deadlines_are_refused_with_a_message_and_change_nothing(client, plan, reviewer, raw, words):
    client.force_login(reviewer)
    response = client.post(reverse("season:year-round", args=[2025]), {"deadline": raw}, follow=True)
    assert words in response.content.decode()
    assert not ReportingYear.objects.filter(plan=plan, year=2025, deadline__isnull=False).exists()


def test_the_deadline_does_not_move_into_the_past_once_figures_are_marked(plan, reviewer, official_fuzhou, submit):
    rounds.open_round(plan=plan, year=2025, deadline="2026-03-31", by=reviewer)
    submit(official_fuzhou, "fuzhou")
    with pytest.raises(Exception, match="不能改到今天"):
        rounds.open_round(plan=plan, year=2025, deadline="2026-03-01", by=reviewer)
    assert rounds.open_round(plan=plan, year=2025, deadline="2026-03-20", by=reviewer).deadline == TODAY


def test_only_the_province_opens_a_round(client, plan, official_fuzhou, city_reviewer):
    for user in (official_fuzhou, city_reviewer):
        client.force_login(user)
        assert client.post(reverse("season:year-round", args=[2025]), {"deadline": "2026-03-31"}).status_code == 403


def test_figures_first_submitted_after_the_deadline_are_marked_late_never_refused(
    monkeypatch, plan, reviewer, official_fuzhou, official_xiamen, submit, opened
):
    on_time = submit(official_fuzhou, "fuzhou")
    monkeypatch.setattr(rounds, "today", lambda: datetime.date(2026, 4, 2))
    late = submit(official_xiamen, "xiamen", value="6.5")
    assert (on_time.late, late.late) == (False, True)
    # Returned and resubmitted after the deadline: its first submission counts.
    returned = review.return_for_revision(observation=on_time, by=reviewer, comment="请核对")
    again = submit(official_fuzhou, "fuzhou", value="11.1", version=returned.version)
    assert again.status == "submitted" and not again.late


def test_an_officials_to_do_lists_missing_drafts_and_returned_with_the_comment_and_the_deadline(
    client, plan, reviewer, official_fuzhou, submit, opened, django_assert_max_num_queries
):
    figure = submit(official_fuzhou, "fuzhou")
    review.return_for_revision(observation=figure, by=reviewer, comment="请核对统计口径")
    submit(official_fuzhou, "fuzhou", code="preschool_inclusive_inspection_counties", value="1", action="save")
    client.force_login(official_fuzhou)
    landing = client.get("/start/", follow=True)
    assert landing.redirect_chain[-1][0].endswith("/todo/")
    with django_assert_max_num_queries(25):
        page = client.get(reverse("season:todo"))
    text = page.content.decode()
    assert "2026-03-31" in text and "还有 11 天" in text
    assert "请核对统计口径" in text and f"#cell-{ENROLMENT}" in text
    item = page.context["official"][0]
    assert (len(item.returned), len(item.drafts), len(item.missing)) == (1, 1, item.due - 2)
    # The notice of the return, unread first, with the comment.
    assert "被退回，审核意见：请核对统计口径" in text


def test_leaders_keep_the_dashboard(client, leader):
    client.force_login(leader)
    assert "/todo/" not in client.get("/start/", follow=True).redirect_chain[-1][0]


def test_a_reviewers_to_do_lists_what_waits_at_his_level_oldest_first(
    client, plan, official_fuzhou, official_xiamen, city_reviewer, reviewer, submit, opened
):
    submit(official_xiamen, "xiamen", value="6.5")
    submit(official_fuzhou, "fuzhou")
    client.force_login(city_reviewer)
    city = client.get(reverse("season:todo"))
    assert [w["district"].short_name for w in city.context["waiting"]] == ["福州"]
    client.force_login(reviewer)
    province = client.get(reverse("season:todo"))
    assert [w["district"].short_name for w in province.context["waiting"]] == ["厦门"]
    # Deadline in 11 days: districts with missing cells are named.
    assert "宁德" in province.content.decode()


def test_the_header_count_is_one_query_while_nothing_changes(
    client, rf, plan, official_fuzhou, reviewer, submit, opened, django_assert_max_num_queries
):
    from figures import todo

    def header_count():
        request = rf.get("/")
        request.user = official_fuzhou
        return todo.count(plan, request)

    first = header_count()
    with django_assert_max_num_queries(1):  # the request's data versions
        assert header_count() == first
    submit(official_fuzhou, "fuzhou")
    assert header_count() == first - 1
    client.force_login(official_fuzhou)
    assert '<span class="todo-count"' in client.get(reverse("dashboards:dashboard")).content.decode()


def test_notices_tell_each_step_to_the_right_people(plan, official_fuzhou, city_reviewer, reviewer, submit, make_user):
    from planboard import roles

    second = make_user("reviewer2", roles.REVIEWER)
    figure = submit(official_fuzhou, "fuzhou")
    assert list(Notice.objects.filter(kind="submitted").values_list("user__username", flat=True)) == ["reviewer_fuzhou"]
    figure = review.approve(observation=figure, by=city_reviewer)
    assert set(Notice.objects.filter(kind="submitted").values_list("user__username", flat=True)) == {
        "reviewer_fuzhou",
        "reviewer",
        "reviewer2",
    }
    review.approve(observation=figure, by=second)
    approved = Notice.objects.get(kind="approved")
    assert approved.user == official_fuzhou and "已审核通过" in notices.text(approved)
    review.lock_year(plan=plan, year=2024, by=reviewer)  # not the final year, which takes a second reviewer
    assert Notice.objects.filter(kind="locked", user=official_fuzhou).exists()


def test_marking_read_one_all_and_someone_elses(client, plan, official_fuzhou, official_xiamen, reviewer, submit):
    for comment in ("一", "二"):
        figure = submit(official_fuzhou, "fuzhou", version=getattr(locals().get("figure"), "version", None))
        figure = review.return_for_revision(observation=figure, by=reviewer, comment=comment)
    first, second = Notice.objects.filter(user=official_fuzhou).order_by("pk")
    client.force_login(official_xiamen)
    assert client.post(reverse("season:notice-read", args=[first.pk])).status_code == 404
    first.refresh_from_db()
    assert first.read_at is None
    client.force_login(official_fuzhou)
    client.post(reverse("season:notice-read", args=[first.pk]))
    shown = client.get(reverse("season:todo")).context["notices"]
    assert [n.pk for n, _w in shown] == [second.pk, first.pk]  # unread first
    client.post(reverse("season:notices-read"))
    assert not Notice.objects.filter(user=official_fuzhou, read_at__isnull=True).exists()


def test_deadline_reminders_go_to_districts_with_missing_cells_once(
    plan, official_fuzhou, official_xiamen, reviewer, opened
):
    call_command("send_notices", stdout=open("/dev/null", "w"))  # 11 days to go: nothing yet
    assert not Notice.objects.filter(kind="deadline").exists()
    notices.remind(today=datetime.date(2026, 3, 24))
    notices.remind(today=datetime.date(2026, 3, 25))
    assert Notice.objects.filter(kind="deadline", user=official_fuzhou).count() == 1
    notices.remind(today=datetime.date(2026, 3, 30))
    reminders = Notice.objects.filter(kind="deadline", user=official_fuzhou).order_by("pk")
    assert [n.days for n in reminders] == [7, 1]
    assert "还有 1 天截止" in notices.text(reminders[1])


def test_mails_go_once_in_the_recipients_language(plan, official_fuzhou, reviewer, submit):
    official_fuzhou.email = "fuzhou@example.org"
    official_fuzhou.save()
    notices.remember_language(official_fuzhou, "en")
    figure = submit(official_fuzhou, "fuzhou")
    review.return_for_revision(observation=figure, by=reviewer, comment="check it")
    call_command("send_notices", stdout=open("/dev/null", "w"))
    call_command("send_notices", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["fuzhou@example.org"]
    assert "returned" in mail.outbox[0].body.lower() or "check it" in mail.outbox[0].body


def test_timeliness_counts_each_district_and_the_province_rates(
    client,
    monkeypatch,
    plan,
    reviewer,
    official_fuzhou,
    official_xiamen,
    leader,
    submit,
    opened,
    django_assert_max_num_queries,
):
    submit(official_fuzhou, "fuzhou")
    monkeypatch.setattr(rounds, "today", lambda: datetime.date(2026, 4, 2))
    submit(official_xiamen, "xiamen", value="6.5")
    client.force_login(leader)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("season:timeliness") + "?year=2025")
    rows = {r.district.short_name: r for r in page.context["rows"]}
    assert (rows["福州"].submitted, rows["福州"].on_time, rows["福州"].late) == (1, 1, 0)
    assert (rows["厦门"].submitted, rows["厦门"].on_time, rows["厦门"].late) == (1, 0, 1)
    assert page.context["total"].late == 1
    api = client.get("/api/timeliness/?year=2025").json()
    assert api["province"]["late"] == 1 and api["deadline"] == "2026-03-31"
    xlsx = client.get(reverse("season:timeliness-xlsx") + "?year=2025")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(official_fuzhou)
    assert client.get(reverse("season:timeliness")).status_code == 403


@pytest.mark.parametrize("extra", [0, 150])
def test_the_seasons_pages_need_the_same_queries_whatever_the_number_of_districts(
    client, plan, reviewer, city_reviewer, official_fuzhou, leader, opened, extra, django_assert_max_num_queries
):
    """150 more districts, each with figures waiting, a Fuzhou official with them all: the to-do page, the header
    count and 填报进度 read in a fixed number of queries."""
    from django.utils import timezone

    from figures import todo
    from figures.models import Observation
    from plans.models import District

    made = District.objects.bulk_create(
        [
            District(
                code=f"99{n:04d}", name=f"测试县{n}", short_name=f"测{n}", slug=f"t{n}", kind="county", order=500 + n
            )
            for n in range(extra)
        ]
    )
    indicator = Indicator.objects.get(plan=plan, code=ENROLMENT)
    Observation.objects.bulk_create(
        [
            Observation(
                indicator=indicator,
                district=d,
                year=2025,
                value=1,
                status="submitted",
                entered_by=official_fuzhou,
                entered_at=timezone.now(),
                submitted_at=timezone.now(),
            )
            for d in made
        ]
    )
    for d in made:
        d.members.add(official_fuzhou)
    for user, name, ceiling in (
        (official_fuzhou, "season:todo", 28),
        (reviewer, "season:todo", 28),
        (leader, "season:timeliness", 20),
    ):
        client.force_login(user)
        with django_assert_max_num_queries(ceiling):
            assert client.get(reverse(name) + "?year=2025").status_code == 200
    with django_assert_max_num_queries(12):
        todo._count(plan, official_fuzhou)


def test_the_entry_pages_and_the_template_show_the_deadline(client, plan, official_fuzhou, opened):
    import io

    from openpyxl import load_workbook

    client.force_login(official_fuzhou)
    assert "截止日期：2026-03-31（还有 11 天）" in client.get(reverse("figures:entry-index")).content.decode()
    assert (
        "截止日期：2026-03-31（还有 11 天）"
        in client.get(reverse("figures:entry", args=["350100", 2025])).content.decode()
    )
    template = client.get(reverse("figures:import-template") + "?year=2025&district=350100")
    sheet = load_workbook(io.BytesIO(b"".join(template.streaming_content)))["福州"]
    assert "截止日期：2026-03-31（还有 11 天）" in sheet["A1"].value


def test_the_language_a_user_logs_in_with_is_the_language_of_his_notices(client, official_fuzhou):
    from tests.conftest import PASSWORD

    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    client.post("/accounts/login/", {"username": "official_fuzhou", "password": PASSWORD})
    assert notices.language_of(official_fuzhou) == "en"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert notices.language_of(official_fuzhou) == "zh-hans"


def test_deadline_reminders_are_not_for_city_reviewers(plan, official_fuzhou, city_reviewer, opened):
    notices.remind(today=datetime.date(2026, 3, 30))
    assert Notice.objects.filter(kind="deadline", user=official_fuzhou).exists()
    assert not Notice.objects.filter(kind="deadline", user=city_reviewer).exists()
