"""Nothing is lost: every change to a figure keeps who, when, the old and new value and the status, a
reviewer can restore an earlier version (itself a recorded change), and the history has its own page."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from figures import pipeline, review
from figures.models import Observation, ReportingYear
from plans.models import Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def figure_through_its_life(plan, district, official_fuzhou, reviewer):
    """A figure saved, submitted, returned, corrected, submitted again and approved."""
    cell = {
        "indicator": Indicator.objects.get(plan=plan, code="general_high_school_enrolment"),
        "district": district("fuzhou"),
        "year": 2021,
    }
    figure = pipeline.record_value(by=official_fuzhou, **cell, value="12")
    figure = pipeline.record_value(by=official_fuzhou, **cell, value="12", action="submit", version=1)
    figure = review.return_for_revision(observation=figure, by=reviewer, comment="请核对")
    figure = pipeline.record_value(by=official_fuzhou, **cell, value="12.4", action="submit", version=3)
    return review.approve(observation=figure, by=reviewer, version=4)


def test_every_change_keeps_who_when_the_value_and_the_status(figure_through_its_life, official_fuzhou, reviewer):
    records = list(figure_through_its_life.history.order_by("history_date", "history_id"))
    assert [(r.version, r.value, r.status, r.history_user) for r in records] == [
        (1, Decimal("12"), "draft", official_fuzhou),
        (2, Decimal("12"), "submitted", official_fuzhou),
        (3, Decimal("12"), "returned", reviewer),
        (4, Decimal("12.4"), "submitted", official_fuzhou),
        (5, Decimal("12.4"), "approved", reviewer),
    ]
    assert [r.history_change_reason for r in records][2:] == ["退回", None, "审核通过"]
    assert records[2].review_comment == "请核对"
    assert all(r.history_date for r in records)


def test_the_history_page_shows_old_and_new_values_and_status_changes(client, figure_through_its_life, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("figures:observation-history", args=[figure_through_its_life.pk]))
    records = page.context["records"]
    assert [(r.version, r.old_value, r.value) for r in records][:2] == [
        (5, Decimal("12.4"), Decimal("12.4")),
        (4, Decimal("12"), Decimal("12.4")),
    ]
    text = page.content.decode()
    assert "已提交 → 已审核" in text and "official_fuzhou" in text and "重新打开" in text
    # An approved figure is restored only once reopened: the page says so instead of offering a refused step.
    assert "恢复为第1版" not in text and "重新打开后可恢复历史版本" in text
    review.reopen(observation=figure_through_its_life, by=reviewer, comment="再核")
    assert "恢复为第1版" in client.get(page.wsgi_request.path).content.decode()


def test_a_locked_years_history_offers_no_review_step(client, figure_through_its_life, reviewer, plan):
    review.reopen(observation=figure_through_its_life, by=reviewer, comment="再核")
    review.lock_year(plan=plan, year=2021, by=reviewer)
    client.force_login(reviewer)
    text = client.get(reverse("figures:observation-history", args=[figure_through_its_life.pk])).content.decode()
    assert "2021年度已锁定，数据只能查看" in text
    assert "恢复为第" not in text and "重新打开" not in text.split("修改记录</h2>")[0]


def test_a_reviewer_restores_an_earlier_version_as_a_new_recorded_change(client, figure_through_its_life, reviewer):
    figure = figure_through_its_life
    first = figure.history.get(version=2)
    client.force_login(reviewer)
    url = reverse("figures:observation-restore", args=[figure.pk, first.history_id])
    # An approved figure is reopened first; without the version read, nothing happens.
    assert client.post(url, {"version": figure.version}).status_code == 302
    assert Observation.objects.get(pk=figure.pk).version == 5
    figure = review.reopen(observation=figure, by=reviewer, comment="恢复旧值")
    client.post(url, {"version": "x"})
    assert Observation.objects.get(pk=figure.pk).version == 6
    assert client.post(url, {"version": figure.version}).status_code == 302
    figure.refresh_from_db()
    assert (figure.value, figure.status, figure.version, figure.entered_by) == (Decimal("12"), "submitted", 7, reviewer)
    latest = figure.history.latest("history_date")
    assert (latest.history_user, latest.history_change_reason, latest.version) == (reviewer, "恢复为第2版", 7)
    assert figure.history.count() == 7  # nothing was deleted
    # Four eyes: the reviewer who restored it does not approve it himself.
    with pytest.raises(PermissionDenied):
        review.approve(observation=figure, by=reviewer, version=7)


def test_restoring_over_a_change_made_meanwhile_is_refused(figure_through_its_life, reviewer):
    figure = review.reopen(observation=figure_through_its_life, by=reviewer, comment="再核")
    with pytest.raises(pipeline.Conflict, match="请刷新后再改"):
        review.restore(observation=figure, record=figure.history.get(version=1), by=reviewer, version=4)
    assert Observation.objects.get(pk=figure.pk).version == 6


def test_restoring_with_a_stale_version_is_refused_even_when_it_brings_back_the_same_value(
    figure_through_its_life, reviewer, official_fuzhou
):
    figure = review.reopen(observation=figure_through_its_life, by=reviewer, comment="再核")
    cell = {"indicator": figure.indicator, "district": figure.district, "year": figure.year}
    # The reviewer read version 6; meanwhile the official submitted it again, as 12.4 (version 7).
    pipeline.record_value(by=official_fuzhou, **cell, value="12.4", action="submit", version=6)
    with pytest.raises(pipeline.Conflict, match="请刷新后再改"):
        review.restore(observation=figure, record=figure.history.get(version=4), by=reviewer, version=6)
    figure.refresh_from_db()
    assert (figure.version, figure.entered_by) == (7, official_fuzhou)


def test_restoring_in_a_locked_year_is_refused(figure_through_its_life, reviewer, plan):
    ReportingYear.objects.create(plan=plan, year=2021, locked=True)
    with pytest.raises(pipeline.Conflict, match="已锁定"):
        review.restore(
            observation=figure_through_its_life, record=figure_through_its_life.history.first(), by=reviewer, version=5
        )


def test_officials_may_read_their_history_but_not_restore(client, figure_through_its_life, official_fuzhou):
    figure = figure_through_its_life
    client.force_login(official_fuzhou)
    page = client.get(reverse("figures:observation-history", args=[figure.pk]))
    assert page.status_code == 200 and "恢复为第" not in page.content.decode()
    record = figure.history.get(version=1)
    url = reverse("figures:observation-restore", args=[figure.pk, record.history_id])
    assert client.post(url, {"version": figure.version}).status_code == 403
    assert Observation.objects.get(pk=figure.pk).version == 5


def test_the_history_page_needs_the_same_queries_however_long_the_history(
    client, figure_through_its_life, reviewer, django_assert_max_num_queries
):
    figure = figure_through_its_life
    client.force_login(reviewer)
    url = reverse("figures:observation-history", args=[figure.pk])
    with django_assert_max_num_queries(20) as short:
        client.get(url)
    figure = review.reopen(observation=figure, by=reviewer, comment="再核")
    for step in range(10):
        figure = pipeline.record_value(
            by=reviewer,
            indicator=figure.indicator,
            district=figure.district,
            year=2021,
            value=f"12.{step}",
            version=figure.version,
        )
    assert figure.history.count() == 16
    with django_assert_max_num_queries(len(short)):
        client.get(url)


def test_the_history_of_a_baseline_loaded_with_the_plan_names_the_command(client, plan, reviewer):
    """Baselines come from the plan files through the write pipeline, recorded as the command's system user."""
    baseline = Observation.objects.filter(indicator__plan=plan, year=plan.base_year).first()
    record = baseline.history.get()
    assert (record.history_user.username, record.history_change_reason, record.version) == ("system", "规划基期值", 1)
    client.force_login(reviewer)
    page = client.get(reverse("figures:observation-history", args=[baseline.pk]))
    assert page.status_code == 200 and "系统" in page.content.decode()
