"""Two-level review (the 十四五 plan's 审核层级 is 2): Fuzhou's figures go first to Fuzhou's city reviewer, then to
the province; 全省's figures and those of a district without a city reviewer go straight to the province."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from figures import pipeline, review
from figures.models import Observation
from plans.models import Indicator

pytestmark = pytest.mark.django_db

ENROLMENT = "general_high_school_enrolment"


@pytest.fixture
def submit(plan, district):
    def make(user, slug, value="11.09", code=ENROLMENT, year=2021):
        return pipeline.record_value(
            by=user,
            indicator=Indicator.objects.get(plan=plan, code=code),
            district=district(slug),
            year=year,
            value=value,
            action="submit",
            reason="原因",
            measures="措施",
        )

    return make


@pytest.fixture
def province_reviewer2(make_user):
    from planboard import roles

    return make_user("reviewer2", roles.REVIEWER)


def test_the_plan_says_two_levels(plan):
    assert plan.review_levels == 2


def test_a_figure_passes_the_city_then_the_province_with_every_step_in_its_history(
    client, plan, official_fuzhou, city_reviewer, reviewer, submit
):
    figure = submit(official_fuzhou, "fuzhou")
    assert list(review.awaiting(city_reviewer)) == [figure]
    assert list(review.awaiting(reviewer)) == []  # not the province's turn yet

    client.force_login(city_reviewer)
    page = client.get(reverse("figures:review"))
    assert [o.pk for o in page.context["pending"]] == [figure.pk]
    assert "您是市级审核员" in page.content.decode()
    client.post(
        reverse("figures:review"),
        {"one": f"approve-{figure.pk}", f"version-{figure.pk}": figure.version, f"comment-{figure.pk}": "市里核过"},
    )
    figure.refresh_from_db()
    assert (figure.status, figure.city_approved_by, figure.approved_by) == ("city_approved", city_reviewer, None)
    assert not Observation.objects.approved().filter(pk=figure.pk).exists()  # not yet counted anywhere

    assert list(review.awaiting(reviewer)) == [figure]
    assert list(review.awaiting(city_reviewer)) == []
    review.approve(observation=figure, by=reviewer)
    figure.refresh_from_db()
    assert (figure.status, figure.approved_by, figure.city_approved_by) == ("approved", reviewer, city_reviewer)

    client.force_login(reviewer)
    history = client.get(reverse("figures:observation-history", args=[figure.pk])).content.decode()
    for words in ("市级审核通过", "审核通过", "市里核过", "reviewer_fuzhou", "official_fuzhou"):
        assert words in history


def test_the_province_may_return_a_city_approved_figure_which_then_passes_the_city_again(
    plan, official_fuzhou, city_reviewer, reviewer, submit
):
    figure = review.approve(observation=submit(official_fuzhou, "fuzhou"), by=city_reviewer)
    figure = review.return_for_revision(observation=figure, by=reviewer, comment="口径不对")
    assert (figure.status, figure.city_approved_by) == ("returned", None)
    figure = pipeline.record_value(
        by=official_fuzhou,
        indicator=figure.indicator,
        district=figure.district,
        year=2021,
        value="11.1",
        action="submit",
        version=figure.version,
        reason="原因",
        measures="措施",
    )
    assert list(review.awaiting(city_reviewer)) == [figure]


def test_approving_at_the_wrong_level_is_refused_clearly(plan, official_fuzhou, city_reviewer, reviewer, submit):
    figure = submit(official_fuzhou, "fuzhou")
    with pytest.raises(pipeline.Conflict, match="须先由市级审核员审核"):
        review.approve(observation=figure, by=reviewer)
    figure = review.approve(observation=figure, by=city_reviewer)
    with pytest.raises(pipeline.Conflict, match="已通过市级审核，正等待省级审核"):
        review.approve(observation=figure, by=city_reviewer)
    with pytest.raises(pipeline.Conflict, match="只有省级审核员可以重新打开"):
        review.reopen(observation=review.approve(observation=figure, by=reviewer), by=city_reviewer, comment="x")


def test_province_figures_and_districts_without_a_city_reviewer_go_straight_to_the_province(
    client, plan, official_province, official_xiamen, city_reviewer, reviewer, submit
):
    province = submit(official_province, "province", value="60")
    xiamen = submit(official_xiamen, "xiamen", value="6.5")
    assert set(review.awaiting(reviewer)) == {province, xiamen}
    assert list(review.awaiting(city_reviewer)) == []
    assert review.approve(observation=xiamen, by=reviewer).status == "approved"
    client.force_login(reviewer)
    text = client.get(reverse("figures:review")).content.decode()
    assert "没有市级审核员、直接由省级审核的地区" in text and "厦门" in text


def test_a_one_level_plan_never_waits_for_a_city(plan, official_fuzhou, city_reviewer, reviewer, submit):
    plan.review_levels = 1
    plan.save()
    figure = submit(official_fuzhou, "fuzhou")
    assert list(review.awaiting(city_reviewer)) == []
    with pytest.raises(pipeline.Conflict, match="不经市级审核"):
        review.approve(observation=figure, by=city_reviewer)
    assert review.approve(observation=figure, by=reviewer).status == "approved"


def test_four_eyes_nobody_approves_the_same_version_at_both_levels(
    plan, official_fuzhou, reviewer, province_reviewer2, make_user, submit
):
    from planboard import roles

    # A province reviewer who is also Fuzhou's city reviewer would see the figure at both levels: make a reviewer
    # approve at the city, then try the province with the same account.
    both = make_user("both", roles.CITY_REVIEWER, districts=["fuzhou"])
    figure = review.approve(observation=submit(official_fuzhou, "fuzhou"), by=both)
    both.groups.add(*province_reviewer2.groups.all())
    both = type(both).objects.get(pk=both.pk)  # permissions cached per instance
    assert list(review.awaiting(both)) == []
    with pytest.raises(PermissionDenied, match="您已在市级审核通过"):
        review.approve(observation=figure, by=both)
    assert review.approve(observation=figure, by=reviewer).status == "approved"


def test_nobody_approves_at_the_city_a_figure_he_submitted(plan, make_user, submit):
    from planboard import roles

    entrant = make_user("entrant", roles.OFFICIAL, districts=["fuzhou"])
    entrant.groups.add(*make_user("tmp", roles.CITY_REVIEWER).groups.all())
    entrant = type(entrant).objects.get(pk=entrant.pk)
    figure = submit(entrant, "fuzhou")
    assert list(review.awaiting(entrant)) == []
    with pytest.raises(PermissionDenied, match="不能审核通过自己填报"):
        review.approve(observation=figure, by=entrant)


def test_a_city_reviewer_acting_on_another_citys_figure_gets_404(
    client, plan, official_xiamen, city_reviewer, make_user, submit
):
    from planboard import roles

    make_user("reviewer_xiamen", roles.CITY_REVIEWER, districts=["xiamen"])
    figure = submit(official_xiamen, "xiamen", value="6.5")
    client.force_login(city_reviewer)
    step = client.post(reverse("figures:observation-review", args=[figure.pk, "approve"]), {"version": figure.version})
    assert step.status_code == 404
    assert client.get(reverse("figures:observation-history", args=[figure.pk])).status_code == 404
    api = client.post(
        "/api/observations/review/",
        {"indicator": ENROLMENT, "district": "350200", "year": 2021, "step": "approve", "version": figure.version},
        content_type="application/json",
    )
    assert api.status_code == 404
    figure.refresh_from_db()
    assert figure.status == "submitted"


def test_a_stale_version_is_refused_at_either_level_with_409(
    client, plan, official_fuzhou, city_reviewer, reviewer, submit
):
    figure = submit(official_fuzhou, "fuzhou")
    body = {"indicator": ENROLMENT, "district": "350100", "year": 2021, "step": "approve"}
    client.force_login(city_reviewer)
    stale = client.post(
        "/api/observations/review/", {**body, "version": figure.version - 1}, content_type="application/json"
    )
    assert stale.status_code == 409
    done = client.post(
        "/api/observations/review/", {**body, "version": figure.version}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["status"] == "city_approved"
    assert done.json()["city_approved_by"] == "reviewer_fuzhou"
    client.force_login(reviewer)
    stale = client.post(
        "/api/observations/review/", {**body, "version": figure.version}, content_type="application/json"
    )
    assert stale.status_code == 409
    wrong = client.force_login(city_reviewer) or client.post(
        "/api/observations/review/", {**body, "version": figure.version + 1}, content_type="application/json"
    )
    assert wrong.status_code == 409 and "等待省级审核" in wrong.json()["error"]["message"]
