"""A leader opens the dashboard (and a district's page) to see where the plan stands."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from figures import pipeline
from plans import progress
from plans.models import Indicator, Target
from tests.story import approve

pytestmark = pytest.mark.django_db

# session, user, the user's two permission lookups, the header's plan and demo flag, the session's save
# (savepoint, update, release), then the page's own: plan, districts, the data version the cache is keyed on,
# default year (2: approved pairs by year,
# pairs with targets), indicators,
# Plan.assess's three and the dashboard's status overview. The same with no figures as with every
# district's figures for four years.
PAGE_QUERIES = 19


def row_html(response, code):
    """The HTML of the dashboard row of one indicator."""
    match = re.search(rf'<tr data-indicator="{code}">(.*?)</tr>', response.content.decode(), re.S)
    assert match, f"no row for {code}"
    return match.group(1)


def row_of(response, code):
    """The text of the dashboard row of one indicator, tags stripped."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row_html(response, code)))


def test_a_leader_sees_every_indicator_of_the_province_with_a_badge(client, leader, plan):
    client.force_login(leader)
    response = client.get(reverse("dashboards:dashboard"))

    assert response.status_code == 200
    html = response.content.decode()
    codes = set(Indicator.objects.filter(plan=plan).values_list("code", flat=True))
    assert set(re.findall(r'<tr data-indicator="([^"]+)">', html)) == codes
    assert all('<span class="badge status-no_data">暂无数据</span>' in row_html(response, code) for code in codes)
    assert dict(response.context["counts"]) == {"no_data": len(codes)}
    assert "福建省：截至2021年的进展" in html


def test_a_figure_shows_its_value_target_bar_and_status(client, leader, plan, reviewer, district):
    # 高等教育毛入学率: 57.88 in 2020, 65 by 2025. By 2023 the path expects 57.88 + 7.12 * 3/5 = 62.152;
    # 62.00 covers 4.12 / 7.12 = 58% of the way at a pace of 4.12 / 4.272 = 0.96: on track.
    approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2023, "62")
    client.force_login(leader)
    response = client.get(reverse("dashboards:dashboard"), {"year": 2023})

    row = row_of(response, "higher_ed_gross_enrolment")
    assert "57.88" in row and "62.00" in row and "65 （2025年）" in row
    assert "符合预期" in row
    assert "已完成58%，按进度应完成60%" in row
    html = response.content.decode()
    assert '<span class="badge status-on_track">符合预期</span>' in html


def test_an_older_latest_figure_shows_its_year(client, leader, plan, reviewer, district):
    approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2022, "60")
    approve(plan, reviewer, district("province"), "preschool_gross_enrolment", 2024, "98.9")
    client.force_login(leader)

    response = client.get(reverse("dashboards:dashboard"), {"year": 2024})

    assert "60.00 （2022年）" in row_of(response, "higher_ed_gross_enrolment")
    assert "（2024年）" not in row_of(response, "preschool_gross_enrolment")


def test_a_level_to_hold_shows_met_or_not_met_instead_of_a_bar(client, leader, plan, reviewer, district):
    # 九年义务教育巩固率 was 99.36 in 2020 and must stay above 99.
    approve(plan, reviewer, district("province"), "compulsory_retention", 2022, "99.5")
    approve(plan, reviewer, district("province"), "upper_secondary_gross_enrolment", 2022, "96.5")
    client.force_login(leader)

    response = client.get(reverse("dashboards:dashboard"), {"year": 2022})

    held = row_of(response, "compulsory_retention")
    assert "已达标" in held and "已完成" not in held
    lost = row_of(response, "upper_secondary_gross_enrolment")
    assert "未达标" in lost and "倒退" in lost


def test_the_default_year_is_the_latest_with_approved_figures(client, leader, plan, reviewer, district):
    approve(plan, reviewer, district("fuzhou"), "general_high_school_enrolment", 2023, "13")
    pipeline.record_value(
        indicator=plan.indicators.get(code="higher_ed_gross_enrolment"),
        district=district("province"),
        year=2024,
        value="63",
        by=reviewer,
    )  # a draft does not count
    client.force_login(leader)

    response = client.get(reverse("dashboards:dashboard"))

    assert response.context["year"] == 2023
    assert '<option value="2023" selected>' in response.content.decode()


def test_the_counts_add_up_to_the_districts_indicators(client, leader, plan, reviewer, district):
    call_command("load_demo", verbosity=0)
    client.force_login(leader)

    response = client.get(reverse("dashboards:dashboard"), {"district": "350100", "year": 2024})

    fuzhou_indicators = Target.objects.filter(district__code="350100").values("indicator").distinct().count()
    counts = dict(response.context["counts"])
    assert sum(counts.values()) == fuzhou_indicators == len(response.context["rows"])
    for status, count in counts.items():
        label = progress.STATUS_LABELS[status]
        assert f'<span class="count">{count}</span><span class="badge status-{status}">{label}</span>' in (
            response.content.decode().replace("\n", "")
        )


def test_the_status_chart_covers_every_visible_district(client, leader, plan):
    call_command("load_demo", verbosity=0)
    client.force_login(leader)

    response = client.get(reverse("dashboards:dashboard"))

    html = response.content.decode()
    assert 'data-chart="status-chart"' in html and 'id="status-chart"' in html
    figure = response.context["status_chart"]
    assert figure["data"][0]["y"][:2] == ["全省", "福州"] and len(figure["data"][0]["y"]) == 11
    names, rows = response.context["chart_statuses"], response.context["chart_rows"]
    # The table beside the chart holds the same numbers as the bars.
    for trace in figure["data"]:
        column = [str(label) for label in map(progress.STATUS_LABELS.get, names)].index(trace["name"])
        assert [numbers[column] for name, numbers in rows] == trace["x"]
    assert '<script src="/static/vendor/plotly.min.js"></script>' in html
    assert '<script src="/static/js/charts.js"></script>' in html


def test_an_official_sees_only_his_own_districts(client, official_fuzhou):
    client.force_login(official_fuzhou)

    response = client.get(reverse("dashboards:dashboard"))

    assert response.status_code == 200
    assert response.context["district"].code == "350100"
    assert [d.code for d in response.context["districts"]] == ["350100"]
    assert client.get(reverse("dashboards:dashboard"), {"district": "350200"}).status_code == 404
    assert client.get(reverse("dashboards:dashboard"), {"district": "350000"}).status_code == 404


def test_a_year_outside_the_plan_is_not_found(client, leader):
    client.force_login(leader)

    assert client.get(reverse("dashboards:dashboard"), {"year": 2030}).status_code == 404
    assert client.get(reverse("dashboards:dashboard"), {"year": "abc"}).status_code == 404
    assert client.get(reverse("dashboards:dashboard"), {"district": "999999"}).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("dashboards:dashboard"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_district_page_explains_each_status(client, leader, plan, reviewer, district):
    approve(plan, reviewer, district("fuzhou"), "general_high_school_enrolment", 2022, "12.9")
    client.force_login(leader)

    response = client.get(reverse("dashboards:district", args=["350100"]), {"year": 2022})

    assert response.status_code == 200
    assert "福州市指标进展" in response.content.decode()
    row = row_of(response, "general_high_school_enrolment")
    assert "2022年实际值12.90，按进度应达12.92，符合预期" in row
    assert len(response.context["rows"]) == 3


def test_an_official_cannot_open_another_districts_page(client, official_fuzhou):
    client.force_login(official_fuzhou)

    assert client.get(reverse("dashboards:district", args=["350100"])).status_code == 200
    assert client.get(reverse("dashboards:district", args=["350200"])).status_code == 404


@pytest.mark.parametrize("demo", [False, True], ids=["no figures", "demo figures"])
@pytest.mark.parametrize(
    "page",
    [
        ("dashboards:dashboard", [], {}),
        ("dashboards:dashboard", [], {"district": "350100", "year": 2023}),
        ("dashboards:district", ["350000"], {}),
    ],
    ids=["dashboard", "dashboard of a city", "district page"],
)
def test_the_pages_make_the_same_few_queries_whatever_the_data(
    client, leader, django_assert_max_num_queries, demo, page
):
    if demo:
        call_command("load_demo", verbosity=0)  # every district, 2021-2024
    name, args, params = page
    client.force_login(leader)

    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse(name, args=args), params).status_code == 200
