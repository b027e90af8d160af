"""Writers racing each other, in threads on a database they share: one wins, the others get a clear refusal, and
nothing is stored that a check under the locks would have refused."""

import io
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from figures import pipeline, review
from figures.models import Observation, ReportingYear
from planboard import roles
from plans.models import District, Task
from tasks.models import TaskStatus
from tasks.services import save_task_report
from tests.story import official_for

COUNTIES = "compulsory_quality_balanced_counties"


def race(n, attempt):
    """Run attempt(0..n-1) in n threads released at once; their results (or the repr of what they raised)."""
    barrier, results = threading.Barrier(n), [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = attempt(i)
        except Exception as error:  # noqa: BLE001 - the test reports any other outcome
            results[i] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def messages_at(client, url):
    return " ".join(str(m) for m in client.get(url, follow=True).context["messages"])


def _csv(i):
    header = "指标,地区,年份,数值,说明,确认大幅变动"
    file = io.BytesIO(f"{header}\n{COUNTIES},350200,2025,{10 + i},imp{i},是\n".encode())
    file.name = f"imp{i}.csv"
    return file


@pytest.mark.django_db(transaction=True)
def test_sessions_confirming_the_same_new_figure_at_once_one_wins_the_others_are_told_why(browser_plan):
    xiamen = District.objects.get(code="350200")
    official = official_for(xiamen)
    n = 10
    sessions = []
    for i in range(n):
        client = Client()
        client.force_login(official)
        assert client.post(reverse("figures:import"), {"file": _csv(i), "action": "save"}).status_code == 302
        preview = client.get(reverse("figures:import-preview")).context["preview"]
        assert preview.counts["new"] == 1, preview.lines
        sessions.append(client)

    address = reverse("figures:import-confirm")  # reverse() knows the plan's pages in the test's thread only

    def confirm(i):
        return sessions[i].post(address)

    responses = race(n, confirm)
    assert all(getattr(r, "status_code", r) == 302 for r in responses), responses  # never a server error
    # The page each confirmation leads to says what happened.
    said = [messages_at(client, r.url) for client, r in zip(sessions, responses, strict=True)]
    won = [i for i, text in enumerate(said) if "新增 1 行" in text]
    refused = [text for text in said if "未导入任何数据" in text]
    assert len(won) == 1 and len(refused) == n - 1, said
    # Each refusal names the figure the preview said was new (and, unless it gave up waiting, who wrote it first).
    assert all("义务教育优质均衡创建县（市、区）数，厦门市" in text for text in refused), refused
    figure = Observation.objects.get(indicator__code=COUNTIES, district=xiamen, year=2025)
    assert (figure.value, figure.note, figure.version, figure.history.count()) == (10 + won[0], f"imp{won[0]}", 1, 1)


ENROLMENT = "general_high_school_enrolment"


def _draft(plan, value):
    """What an official of 福州 writes: a draft of the 2021 enrolment; the stored figure, or the refusal."""
    fuzhou = District.objects.get(code="350100")
    indicator = plan.indicators.get(code=ENROLMENT)
    try:
        return pipeline.record_value(
            by=official_for(fuzhou), indicator=indicator, district=fuzhou, year=2021, value=value
        )
    except pipeline.Conflict as refused:
        return str(refused)


def _lock_2021(plan, by):
    review.lock_year(plan=plan, year=2021, by=by)
    return ReportingYear.objects.get(plan=plan, year=2021)


@pytest.mark.django_db(transaction=True)
def test_a_year_locked_while_a_draft_is_on_its_way_refuses_the_draft(browser_plan, make_user, monkeypatch):
    """The reviewer's lock commits after the official's request started, before its transaction: the draft is
    checked against the lock and refused, not stored in the locked year."""
    reviewer = make_user("reviewer", roles.REVIEWER)
    waiting, locked, guarded = threading.Event(), threading.Event(), pipeline.guarded

    def after_the_lock():
        if not waiting.is_set():  # the official's write, not the lock
            waiting.set()
            assert locked.wait(30)
        return guarded()

    monkeypatch.setattr(pipeline, "guarded", after_the_lock)

    def step(i):
        if i == 0:
            return _draft(browser_plan, "12.5")
        assert waiting.wait(30)
        year = _lock_2021(browser_plan, reviewer)
        locked.set()
        return year

    refusal, year = race(2, step)
    assert refusal == "2021年度已锁定，数据不能再修改。", refusal
    assert year.locked and not Observation.objects.filter(indicator__code=ENROLMENT, year=2021).exists()


def _submitted(plan):
    """A figure 福州's official submitted for 2021, for a reviewer to approve."""
    fuzhou = District.objects.get(code="350100")
    fields = {"confirm": True, "note": "测试", "reason": "测试", "measures": "测试", "action": "submit"}
    indicator = plan.indicators.get(code=ENROLMENT)
    return pipeline.record_value(
        by=official_for(fuzhou), indicator=indicator, district=fuzhou, year=2021, value="12.5", **fields
    )


def _write_a_draft(plan, reviewer):
    return _draft(plan, "12.5")


def _approve(plan, reviewer):
    figure = Observation.objects.get(indicator__code=ENROLMENT, year=2021)
    try:
        return review.approve(observation=figure, by=reviewer, version=figure.version)
    except pipeline.Conflict as refused:
        return str(refused)


def _report_on_a_task(plan, reviewer):
    try:
        return save_task_report(
            task=Task.objects.get(plan=plan, number=5),
            year=2021,
            by=reviewer,
            status=TaskStatus.IN_PROGRESS,
            summary="按计划推进",
        )
    except pipeline.Conflict as refused:
        return str(refused)


@pytest.mark.parametrize(
    "prepare, write",
    [(None, _write_a_draft), (_submitted, _approve), (None, _report_on_a_task)],
    ids=["draft", "approval", "task report"],
)
@pytest.mark.django_db(transaction=True)
def test_a_year_lock_waits_for_a_write_that_has_checked_the_year(browser_plan, make_user, prepare, write):
    """The writer has checked the year (not locked) and is about to store when the reviewer locks the year: the
    lock waits until the write commits, so nothing is stored in a year that was locked when it was stored."""
    reviewer = make_user("reviewer", roles.REVIEWER)
    official_for(District.objects.get(code="350100"))
    if prepare:
        prepare(browser_plan)
    writing, locked, locked_meanwhile = threading.Event(), threading.Event(), []

    def pause_before_storing(execute, sql, params, many, context):
        if not writing.is_set() and sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            writing.set()
            locked_meanwhile.append(locked.wait(2))  # it should not: the lock waits for this transaction
        return execute(sql, params, many, context)

    def step(i):
        if i == 0:
            with connection.execute_wrapper(pause_before_storing):
                return write(browser_plan, reviewer)
        assert writing.wait(30)
        year = _lock_2021(browser_plan, reviewer)
        locked.set()
        return year

    stored, year = race(2, step)
    assert locked_meanwhile == [False] and year.locked, (stored, locked_meanwhile)
    assert not isinstance(stored, str), stored  # stored before the year was locked
