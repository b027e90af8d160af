"""Outliers: a figure whose year-on-year change is far from the other districts' changes (or from its own
district's earlier ones) is flagged on the review list and the entry grid, saying why in numbers; the review
list filters them; plan data turns the check off per indicator."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from figures import outliers, pipeline
from figures.plan_dumping import dump_plan
from plans import workbook, workbook_reading
from plans.models import District, Indicator
from tests import story
from tests.story import approve, official_for

pytestmark = pytest.mark.django_db

ENROLMENT = "general_high_school_enrolment"  # 万人: a count, judged by its relative change
ALIKE = ["fuzhou", "xiamen", "putian", "sanming", "quanzhou", "zhangzhou"]


def submit(slug, value, year=2022, code=ENROLMENT):
    """The district's official submits a figure, confirming the large move with a note."""
    district = District.objects.get(slug=slug)
    return story.submit(official_for(district), district, code, year, value)


@pytest.fixture
def last_year(plan, reviewer):
    """Every city of the story at 10 (万人) in 2021, approved."""

    def at(*slugs, value="10"):
        for slug in slugs:
            approve(plan, reviewer, District.objects.get(slug=slug), ENROLMENT, 2021, value)

    return at


def row(response, pk):
    match = re.search(rf'<tr data-observation="{pk}"[^>]*>(.*?)</tr>', response.content.decode(), re.S)
    assert match, f"no row for {pk}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def test_a_city_growing_48_percent_while_the_others_grow_3_is_flagged_with_the_numbers(client, reviewer, last_year):
    last_year(*ALIKE, "longyan")
    alike = [submit(slug, "10.3") for slug in ALIKE]
    odd = submit("longyan", "14.8")

    client.force_login(reviewer)
    response = client.get(reverse("figures:review"))

    # Six districts at +3 %, one at +48 %: the median is +3 %, the MAD 0, so the scale is a tenth of the plan's
    # 20 % large move (2 %): 0.6745 × 45 % / 2 % = 15.2.
    assert "异常值（与各地区比） 同比 +48%，各地区中位数 +3%，修正 z 分数 15.2" in row(response, odd.pk)
    assert all("异常值" not in row(response, figure.pk) for figure in alike)


def test_the_scale_never_falls_below_a_tenth_of_the_large_move(plan, reviewer, last_year):
    last_year(*ALIKE, "longyan")
    for slug in ALIKE:
        submit(slug, "10.3")
    enrolment = Indicator.objects.get(code=ENROLMENT)
    longyan = District.objects.get(slug="longyan")

    def flagged(value):
        return outliers.find(plan, [(enrolment.pk, longyan.pk, 2022, Decimal(value))])

    # 0.6745 × 10 % / 2 % = 3.37 is not beyond 3.5; 0.6745 × 11 % / 2 % = 3.71 is.
    assert flagged("11.3") == {}
    [outlier] = flagged("11.4")[(enrolment.pk, longyan.pk, 2022)]
    assert (outlier.basis, round(outlier.score, 2)) == (outliers.DISTRICTS, 3.71)


def test_fewer_than_five_districts_say_nothing_about_what_is_usual(client, reviewer, last_year):
    last_year("fuzhou", "xiamen", "putian", "longyan")
    for slug in ("fuzhou", "xiamen", "putian"):
        submit(slug, "10.3")
    odd = submit("longyan", "14.8")

    client.force_login(reviewer)
    assert "异常值" not in row(client.get(reverse("figures:review")), odd.pk)


def test_a_figure_far_from_its_own_districts_earlier_changes_is_flagged(client, plan, reviewer):
    # 全省 (no other district to compare with) grew 1 point a year from its 57.88 of 2020 to 2023, then 4.
    province = District.objects.get(slug="province")
    for year, value in ((2021, "58.88"), (2022, "59.88"), (2023, "60.88")):
        approve(plan, reviewer, province, "higher_ed_gross_enrolment", year, value)
    odd = submit("province", "64.88", year=2024, code="higher_ed_gross_enrolment")

    client.force_login(reviewer)
    text = row(client.get(reverse("figures:review")), odd.pk)
    # A rate moves in points: +4 against a median of +1, the scale at least 0.5 points: 0.6745 × 3 / 0.5 = 4.0.
    assert "异常值（与本地区往年比） 同比 +4 个百分点，本地区此前各年中位数 +1 个百分点，修正 z 分数 4.0" in text


def test_the_review_list_shows_only_the_outliers_when_asked(client, reviewer, last_year):
    last_year(*ALIKE, "longyan")
    alike = [submit(slug, "10.3") for slug in ALIKE]
    odd = submit("longyan", "14.8")
    client.force_login(reviewer)

    response = client.get(reverse("figures:review"), {"outliers": "on"})

    assert [o.pk for o in response.context["pending"]] == [odd.pk]
    assert f'data-observation="{alike[0].pk}"' not in response.content.decode()
    everything = client.get(reverse("figures:review"))
    assert len(everything.context["pending"]) == 7


def test_the_official_sees_the_flag_in_the_entry_grid_before_submitting(client, plan, last_year):
    last_year(*ALIKE, "longyan")
    for slug in ALIKE:
        submit(slug, "10.3")
    longyan = District.objects.get(slug="longyan")
    official = official_for(longyan)
    pipeline.record_value(
        by=official,
        indicator=Indicator.objects.get(code=ENROLMENT),
        district=longyan,
        year=2022,
        value="14.8",
        confirm=True,
        note="说明",
    )  # a draft
    client.force_login(official)

    html = client.get(reverse("figures:entry", args=[longyan.code, 2022])).content.decode()

    cell = re.search(rf'<tr id="cell-{ENROLMENT}".*?</tr>', html, re.S).group(0)
    assert "同比 +48%，各地区中位数 +3%，修正 z 分数 15.2" in cell


def test_plan_data_turns_the_check_off_for_an_indicator(client, reviewer, last_year):
    last_year(*ALIKE, "longyan")
    for slug in ALIKE:
        submit(slug, "10.3")
    odd = submit("longyan", "14.8")
    Indicator.objects.filter(code=ENROLMENT).update(skip_outliers=True)

    client.force_login(reviewer)
    assert "异常值" not in row(client.get(reverse("figures:review")), odd.pk)
    assert client.get(reverse("figures:review"), {"outliers": "on"}).context["pending"] == []


def test_the_switch_is_a_column_of_the_plan_workbook(plan):
    Indicator.objects.filter(code=ENROLMENT).update(skip_outliers=True)
    data = dump_plan(plan)
    book = load_workbook(io.BytesIO(workbook.write_workbook(data)), read_only=True)
    sheet = book[workbook.INDICATOR_SHEET]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    rows = {r[0].value: r[header.index("不检查异常值")].value for r in sheet.iter_rows(min_row=2)}
    assert rows[ENROLMENT] == "是" and rows["preschool_gross_enrolment"] == "否"

    read = workbook_reading.read_workbook(workbook.write_workbook(data))
    switches = {i["code"]: i["fields"]["skip_outliers"] for i in read["indicators"]}
    assert switches[ENROLMENT] is True and switches["preschool_gross_enrolment"] is False
