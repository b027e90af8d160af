"""Leaders see only approved figures, on the history page too."""

import pytest
from django.urls import reverse

from figures import pipeline, review
from plans.models import Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_twice(plan, district, official_fuzhou, reviewer):
    """Approved at 12, reopened, corrected to 12.4 in a draft and approved again."""
    cell = {
        "indicator": Indicator.objects.get(plan=plan, code="general_high_school_enrolment"),
        "district": district("fuzhou"),
        "year": 2021,
    }
    figure = pipeline.record_value(by=official_fuzhou, **cell, value="12", action="submit")
    figure = review.approve(observation=figure, by=reviewer, version=figure.version)
    figure = review.reopen(observation=figure, by=reviewer, comment="口径有误", version=figure.version)
    figure = pipeline.record_value(by=official_fuzhou, **cell, value="12.9", version=figure.version)
    figure = pipeline.record_value(by=official_fuzhou, **cell, value="12.4", action="submit", version=figure.version)
    return review.approve(observation=figure, by=reviewer, version=figure.version)


def test_a_leader_sees_only_the_approved_versions_in_a_figures_history(client, approved_twice, leader):
    client.force_login(leader)
    response = client.get(reverse("figures:observation-history", args=[approved_twice.pk]))
    assert response.status_code == 200
    records = response.context["records"]
    assert {r.status for r in records} == {"approved"}
    assert [(r.version, r.value, r.old_value) for r in records] == [
        (approved_twice.version, approved_twice.value, records[1].value),
        (2, records[1].value, None),
    ]
    assert "12.9" not in response.content.decode()


def test_reviewers_and_officials_still_see_every_version(client, approved_twice, reviewer, official_fuzhou):
    for user in (reviewer, official_fuzhou):
        client.force_login(user)
        response = client.get(reverse("figures:observation-history", args=[approved_twice.pk]))
        assert len(response.context["records"]) == approved_twice.version
        assert "12.9" in response.content.decode()
