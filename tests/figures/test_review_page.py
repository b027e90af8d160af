"""The review page beside each figure: its target, the status it would give, the change from the latest earlier
figure, who entered it and for which district; filters; plain words for a figure that is gone; four eyes."""

import re

import pytest
from django.urls import reverse

from figures import review
from plans.models import District
from tests import story

pytestmark = pytest.mark.django_db

ENROLMENT = "general_high_school_enrolment"


def submit(user, slug, value, code=ENROLMENT, year=2022):
    return story.submit(user, District.objects.get(slug=slug), code, year, value)


def row(response, pk):
    match = re.search(rf'<tr data-observation="{pk}"[^>]*>(.*?)</tr>', response.content.decode(), re.S)
    assert match, f"no row for {pk}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def test_each_figure_shows_target_status_it_would_give_and_change_from_the_latest_earlier_one(
    client, reviewer, official_fuzhou
):
    official_fuzhou.first_name = "小林"
    official_fuzhou.save()
    figure = submit(official_fuzhou, "fuzhou", "11.2")  # 2022; the latest earlier figure is the 2020 baseline
    client.force_login(reviewer)
    response = client.get(reverse("figures:review"))
    text = row(response, figure.pk)
    shown = response.context["pending"][0]
    assert shown.assessment.final is not None and shown.assessment.status
    assert (shown.previous_year, str(shown.previous_value)) == (2020, "11.0900")
    assert "+0.11" in text and "（2020年）" in text
    assert shown.assessment.final.year == 2025 and "（2025年）" in text
    assert 'class="badge status-' in response.content.decode()
    assert "小林" in text and "福州" in text
    assert "通过所选" in response.content.decode() and "退回所选" in response.content.decode()


def test_filters_by_district_year_and_indicator(client, reviewer, official_fuzhou, official_xiamen):
    fuzhou = submit(official_fuzhou, "fuzhou", "11.2")
    submit(official_xiamen, "xiamen", "6.5")
    submit(official_fuzhou, "fuzhou", "11.4", year=2023)
    client.force_login(reviewer)
    pks = lambda **params: [o.pk for o in client.get(reverse("figures:review"), params).context["pending"]]  # noqa: E731
    assert len(pks()) == 3
    assert len(pks(district="350100")) == 2
    assert pks(district="350100", year="2022") == [fuzhou.pk]
    assert len(pks(indicator=ENROLMENT)) == 3
    assert pks(indicator="preschool_gross_enrolment") == []
    assert client.get(reverse("figures:review"), {"year": "abc"}).status_code == 200  # shown as a form error


def test_a_figure_gone_from_the_list_is_explained_in_plain_chinese(client, reviewer, official_fuzhou, make_user):
    from planboard import roles

    figure = submit(official_fuzhou, "fuzhou", "11.2")
    other = make_user("reviewer2", roles.REVIEWER)
    review.approve(observation=figure, by=other)
    client.force_login(reviewer)
    data = {"step": "approve", "selected": [figure.pk], f"version-{figure.pk}": figure.version, "comment": ""}
    html = client.post(reverse("figures:review"), data).content.decode()
    assert "已不在待审核之列" in html
    assert "不在可用的选项中" not in html and str(figure.pk) + " " not in html.split("已不在待审核之列")[0][-40:]


def test_a_reviewers_own_figures_cannot_be_ticked(client, reviewer, official_fuzhou):
    own = submit(reviewer, "fuzhou", "11.2")
    theirs = submit(official_fuzhou, "fuzhou", "11.3", year=2023)
    client.force_login(reviewer)
    html = client.get(reverse("figures:review")).content.decode()
    assert f'name="selected" value="{theirs.pk}"' in html
    assert f'name="selected" value="{own.pk}"' not in html
    assert f'value="approve-{own.pk}"' not in html


def test_a_figure_in_a_locked_year_is_listed_without_steps_that_would_be_refused(
    client, reviewer, official_fuzhou, plan
):
    figure = submit(official_fuzhou, "fuzhou", "11.2")
    review.lock_year(plan=plan, year=2022, by=reviewer)
    client.force_login(reviewer)
    response = client.get(reverse("figures:review"))
    html = response.content.decode()
    assert "2022年度已锁定" in row(response, figure.pk)
    assert f'name="selected" value="{figure.pk}"' not in html and f'value="approve-{figure.pk}"' not in html
