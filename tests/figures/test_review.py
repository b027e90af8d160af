"""A reviewer works through the submitted figures: approves, returns with a comment, one by one or in bulk,
reopens an approved figure, chases the districts that have not reported and locks a finished year."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from figures import pipeline, review
from figures.models import Observation, ReportingYear
from plans.models import Indicator
from tests.conftest import HEADER_COUNT_QUERIES

pytestmark = pytest.mark.django_db

ENROLMENT = "general_high_school_enrolment"


@pytest.fixture
def submit(plan, district):
    """An official's figure of an indicator, submitted for review."""

    def make(user, slug, value, code=ENROLMENT, year=2021, **fields):
        return pipeline.record_value(
            by=user,
            indicator=Indicator.objects.get(plan=plan, code=code),
            district=district(slug),
            year=year,
            value=value,
            action="submit",
            **fields,
        )

    return make


def test_the_review_page_lists_submitted_figures_with_the_change_from_last_year(
    client, reviewer, official_fuzhou, official_xiamen, submit
):
    submit(official_fuzhou, "fuzhou", "11.2", reason="生源外流", measures="扩大招生")  # 2020: 11.09
    submit(official_xiamen, "xiamen", "6.5")
    pipeline.record_value(
        by=official_fuzhou,
        indicator=Indicator.objects.get(code="preschool_inclusive_inspection_counties"),
        district=official_fuzhou.districts.get(),
        year=2021,
        value="1",
    )  # a draft: not for review yet
    client.force_login(reviewer)
    page = client.get(reverse("figures:review"))
    pending = list(page.context["pending"])
    assert [(o.district.short_name, o.value) for o in pending] == [("福州", Decimal("11.2")), ("厦门", Decimal("6.5"))]
    assert (pending[0].previous_value, pending[0].change) == (Decimal("11.09"), Decimal("0.11"))
    text = page.content.decode()
    assert "+0.11" in text and "生源外流" in text and "扩大招生" in text


def test_approving_one_figure_from_its_row(client, reviewer, official_fuzhou, submit):
    figure = submit(official_fuzhou, "fuzhou", "12")
    client.force_login(reviewer)
    response = client.post(
        reverse("figures:review"), {"one": f"approve-{figure.pk}", f"version-{figure.pk}": figure.version}
    )
    assert response.status_code == 302
    figure.refresh_from_db()
    assert (figure.status, figure.approved_by, figure.version) == ("approved", reviewer, 2)
    assert figure.approved_at is not None


def test_returning_needs_a_comment_which_the_official_then_sees(client, reviewer, official_fuzhou, submit):
    figure = submit(official_fuzhou, "fuzhou", "12")
    client.force_login(reviewer)
    refused = client.post(
        reverse("figures:review"), {"one": f"return-{figure.pk}", f"version-{figure.pk}": figure.version}
    )
    assert refused.status_code == 200 and "请填写审核意见" in refused.content.decode()
    figure.refresh_from_db()
    assert figure.status == "submitted"

    client.post(
        reverse("figures:review"),
        {"one": f"return-{figure.pk}", f"comment-{figure.pk}": "口径不一致", f"version-{figure.pk}": figure.version},
    )
    figure.refresh_from_db()
    assert (figure.status, figure.review_comment) == ("returned", "口径不一致")


def test_bulk_approval_of_the_ticked_figures(client, reviewer, official_fuzhou, official_xiamen, submit):
    fuzhou = submit(official_fuzhou, "fuzhou", "12")
    xiamen = submit(official_xiamen, "xiamen", "6.5")
    client.force_login(reviewer)
    versions = {f"version-{o.pk}": o.version for o in (fuzhou, xiamen)}
    client.post(reverse("figures:review"), {"step": "approve", "selected": [fuzhou.pk, xiamen.pk], **versions})
    assert set(Observation.objects.filter(year=2021).values_list("status", flat=True)) == {"approved"}


def test_bulk_return_uses_the_shared_comment(client, reviewer, official_fuzhou, official_xiamen, submit):
    fuzhou = submit(official_fuzhou, "fuzhou", "12")
    xiamen = submit(official_xiamen, "xiamen", "6.5")
    client.force_login(reviewer)
    client.post(
        reverse("figures:review"),
        {
            "step": "return",
            "selected": [fuzhou.pk, xiamen.pk],
            "comment": "请附来源",
            **{f"version-{o.pk}": o.version for o in (fuzhou, xiamen)},
        },
    )
    assert set(Observation.objects.filter(year=2021).values_list("status", "review_comment")) == {
        ("returned", "请附来源")
    }


def test_nothing_ticked_is_a_clear_message(client, reviewer, official_fuzhou, submit):
    submit(official_fuzhou, "fuzhou", "12")
    client.force_login(reviewer)
    assert "请至少选择一项数据" in client.post(reverse("figures:review"), {"step": "approve"}).content.decode()


def test_a_figure_changed_after_the_reviewer_read_it_is_not_approved_blind(client, reviewer, official_fuzhou, submit):
    figure = submit(official_fuzhou, "fuzhou", "12")
    seen = figure.version
    submit(official_fuzhou, "fuzhou", "12.5", version=seen)  # the official corrects it meanwhile
    client.force_login(reviewer)
    response = client.post(
        reverse("figures:review"), {"step": "approve", "selected": [figure.pk], f"version-{figure.pk}": seen}
    )
    assert "修改为 12.5" in response.content.decode()
    figure.refresh_from_db()
    assert figure.status == "submitted"


def test_a_bulk_step_refused_for_one_figure_changes_none(client, reviewer, official_fuzhou, official_xiamen, submit):
    fuzhou = submit(official_fuzhou, "fuzhou", "12")
    xiamen = submit(official_xiamen, "xiamen", "6.5")
    client.force_login(reviewer)
    client.post(
        reverse("figures:review"),
        {"step": "approve", "selected": [fuzhou.pk, xiamen.pk], f"version-{xiamen.pk}": xiamen.version - 1},
    )
    assert set(Observation.objects.filter(year=2021).values_list("status", flat=True)) == {"submitted"}


def test_reopening_an_approved_figure_hands_it_back_to_the_district(client, reviewer, official_fuzhou, submit):
    figure = review.approve(observation=submit(official_fuzhou, "fuzhou", "12"), by=reviewer)
    client.force_login(reviewer)
    url = reverse("figures:observation-review", args=[figure.pk, "reopen"])
    client.post(url, {"version": figure.version, "comment": "统计局更正了数据"})
    figure.refresh_from_db()
    assert (figure.status, figure.review_comment, figure.approved_at) == ("returned", "统计局更正了数据", None)
    # Now the official may correct it again.
    corrected = submit(official_fuzhou, "fuzhou", "12.3", version=figure.version)
    assert (corrected.status, corrected.value) == ("submitted", Decimal("12.3"))


def test_an_approved_figure_cannot_be_changed_by_its_official_until_reopened(reviewer, official_fuzhou, submit):
    figure = review.approve(observation=submit(official_fuzhou, "fuzhou", "12"), by=reviewer)
    with pytest.raises(pipeline.Conflict, match="需审核员重新打开"):
        submit(official_fuzhou, "fuzhou", "13", version=figure.version)


def test_steps_out_of_order_are_refused(reviewer, official_fuzhou, submit):
    figure = submit(official_fuzhou, "fuzhou", "12")
    with pytest.raises(pipeline.Conflict, match="不能重新打开"):
        review.reopen(observation=figure, by=reviewer, comment="x")
    review.approve(observation=figure, by=reviewer)
    with pytest.raises(pipeline.Conflict, match="不能审核通过"):
        review.approve(observation=figure, by=reviewer)


def test_the_completeness_page_names_what_each_district_still_owes(
    client, reviewer, official_fuzhou, official_xiamen, submit
):
    submit(official_fuzhou, "fuzhou", "12")
    submit(official_xiamen, "xiamen", "1", code="compulsory_quality_balanced_counties")
    client.force_login(reviewer)
    page = client.get(reverse("figures:completeness"), {"year": 2021})
    rows = {
        district.slug: (owed, [i.code for i, _status in missing]) for district, owed, missing in page.context["rows"]
    }
    assert rows["fuzhou"] == (3, ["preschool_inclusive_inspection_counties", "compulsory_quality_balanced_counties"])
    every = Indicator.objects.count()
    assert rows["province"] == (every, list(Indicator.objects.values_list("code", flat=True)))
    assert rows["xiamen"][1] == ["general_high_school_enrolment", "preschool_inclusive_inspection_counties"]
    assert "2021年未报情况" in page.content.decode()


def test_locking_a_year_stops_entry_and_review_until_unlocked(client, reviewer, official_fuzhou, submit, plan):
    figure = submit(official_fuzhou, "fuzhou", "12")
    client.force_login(reviewer)
    asked = client.post(reverse("figures:year-lock", args=[2021]))  # a figure is still submitted: confirm first
    assert asked.status_code == 200 and not ReportingYear.objects.filter(year=2021, locked=True).exists()
    client.post(reverse("figures:year-lock", args=[2021]), {"confirm": "1"})
    year = ReportingYear.objects.get(plan=plan, year=2021)
    assert (year.locked, year.locked_by) == (True, reviewer)
    with pytest.raises(pipeline.Conflict, match="2021年度已锁定"):
        review.approve(observation=figure, by=reviewer)
    with pytest.raises(pipeline.Conflict, match="2021年度已锁定"):
        submit(official_fuzhou, "fuzhou", "12.5", version=figure.version)
    assert "已锁定" in client.get(reverse("figures:year-locks")).content.decode()

    client.post(reverse("figures:year-unlock", args=[2021]))
    assert review.approve(observation=figure, by=reviewer).status == "approved"


@pytest.mark.parametrize("demo", [False, True])
def test_review_pages_need_the_same_queries_with_few_or_many_figures(
    client, reviewer, official_fuzhou, submit, demo, django_assert_max_num_queries
):
    if demo:
        call_command("load_demo", verbosity=0)
        Observation.objects.filter(year=2024).update(status="submitted", approved_at=None, approved_by=None)
    submit(official_fuzhou, "fuzhou", "14.38", year=2025)
    client.force_login(reviewer)
    # session, user, 2 permissions, plan, the rows, the enterers' districts, header plan and demo check, session
    # save (3), the filters' districts and indicators, the earlier figures, and three per year on the page for
    # the status each figure would give (two years here at most: 2024 and 2025), the locked years of the listed
    # figures' plans, and the outliers' three (indicators, province, every district's figures)
    with django_assert_max_num_queries(25 + HEADER_COUNT_QUERIES):  # and 待办's count in the header
        assert client.get(reverse("figures:review")).status_code == 200
    # session, user, 2 permissions, plan, districts, indicators (2), targets, figures, header (2), session save (3)
    with django_assert_max_num_queries(15 + HEADER_COUNT_QUERIES):
        assert client.get(reverse("figures:completeness")).status_code == 200


def test_years_outside_the_plan_are_refused_on_the_review_pages(client, reviewer, plan):
    client.force_login(reviewer)
    assert client.get(reverse("figures:completeness"), {"year": 2031}).status_code == 404
    refused = client.post(reverse("figures:year-lock", args=[2031]), follow=True)
    assert "年份必须在2020至2025年之间" in refused.content.decode()
    assert not ReportingYear.objects.filter(year=2031).exists()
