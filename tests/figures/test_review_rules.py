"""The review steps' rules at their lines: a reopen says why (docs/api.md), a year is locked only within the plan,
and what a step leaves on the figure (status, comment, who approved) is what the district then sees."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from figures import pipeline, review
from figures.models import Observation, ReportingYear
from plans.models import Indicator

pytestmark = pytest.mark.django_db

ENROLMENT = "general_high_school_enrolment"


@pytest.fixture
def submitted(plan, district, official_fuzhou):
    """Fuzhou's 2021 enrolment, submitted by its official."""
    return pipeline.record_value(
        by=official_fuzhou,
        indicator=Indicator.objects.get(plan=plan, code=ENROLMENT),
        district=district("fuzhou"),
        year=2021,
        value="12",
        action="submit",
    )


@pytest.fixture
def approved(submitted, reviewer):
    return review.approve(observation=submitted, by=reviewer, version=submitted.version)


@pytest.mark.parametrize("comment", ["", "   ", None])
def test_reopening_without_a_comment_is_refused_and_the_figure_stays_approved(approved, reviewer, comment):
    with pytest.raises(ValidationError) as error:
        review.reopen(observation=approved, by=reviewer, comment=comment, version=approved.version)
    assert error.value.message_dict["comment"] == ["请填写审核意见，说明需要修改之处。"]
    approved.refresh_from_db()
    assert (approved.status, approved.version) == ("approved", 2)


def test_the_api_refuses_a_reopen_without_a_comment_and_takes_one_with_it(client, approved, reviewer):
    client.force_login(reviewer)
    body = {"indicator": ENROLMENT, "district": "350100", "year": 2021, "step": "reopen", "version": approved.version}
    response = client.post("/api/observations/review/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"comment": ["请填写审核意见，说明需要修改之处。"]}
    body["comment"] = "统计局更正"
    response = client.post("/api/observations/review/", json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content.decode()
    approved.refresh_from_db()
    assert (approved.status, approved.review_comment, approved.approved_by) == ("returned", "统计局更正", None)


def test_an_approval_records_who_approved_and_may_carry_a_comment(submitted, reviewer):
    figure = review.approve(observation=submitted, by=reviewer, version=submitted.version, comment="核对无误")
    figure = Observation.objects.get(pk=figure.pk)
    assert (figure.status, figure.approved_by, figure.review_comment) == ("approved", reviewer, "核对无误")
    assert figure.approved_at is not None and figure.version == 2
    assert figure.history.first().history_change_reason == "审核通过"


def test_a_step_on_a_figure_read_at_an_older_version_is_refused(approved, reviewer):
    with pytest.raises(pipeline.Conflict, match="版本 2"):
        review.reopen(observation=approved, by=reviewer, comment="更正", version=1)
    with pytest.raises(ValidationError):
        review.review_many(observations=[approved], step="approve", by=reviewer, versions={})


def test_bulk_review_offers_only_approve_and_return(approved, reviewer):
    with pytest.raises(ValidationError, match="不支持的操作"):
        review.review_many(observations=[approved], step="reopen", by=reviewer, comment="x", versions={approved.pk: 2})


@pytest.mark.parametrize(("year", "allowed"), [(2019, False), (2020, True), (2024, True), (2026, False)])
def test_a_year_is_locked_only_within_the_plan(plan, reviewer, year, allowed):
    if allowed:
        assert review.lock_year(plan=plan, year=year, by=reviewer).locked
        assert ReportingYear.objects.get(plan=plan, year=year).locked_by == reviewer
    else:
        with pytest.raises(ValidationError, match="年份必须在2020至2025年之间"):
            review.lock_year(plan=plan, year=year, by=reviewer)
        assert not ReportingYear.objects.filter(plan=plan, year=year).exists()


def test_unlocking_a_year_clears_who_locked_it(plan, reviewer):
    review.lock_year(plan=plan, year=2022, by=reviewer)
    unlocked = review.lock_year(plan=plan, year=2022, by=reviewer, locked=False)
    assert (unlocked.locked, unlocked.locked_by, unlocked.locked_at) == (False, None, None)


def test_restoring_an_earlier_version_submits_it_again_in_the_reviewers_name(plan, district, official_fuzhou, reviewer):
    indicator = Indicator.objects.get(plan=plan, code=ENROLMENT)
    cell = {"indicator": indicator, "district": district("fuzhou"), "year": 2021}
    first = pipeline.record_value(by=official_fuzhou, value="12", **cell)
    second = pipeline.record_value(by=official_fuzhou, value="12.4", version=first.version, **cell)
    record = second.history.get(version=1)
    restored = review.restore(observation=second, record=record, by=reviewer, version=second.version)
    assert (restored.value, restored.status, restored.entered_by, restored.version) == (
        Decimal("12"),
        "submitted",
        reviewer,
        3,
    )
    with pytest.raises(pipeline.Conflict, match="版本 3"):
        review.restore(observation=restored, record=record, by=reviewer, version=2)


def test_a_bulk_step_on_no_figures_changes_nothing(reviewer):
    assert review.review_many(observations=[], step="approve", by=reviewer) == []
