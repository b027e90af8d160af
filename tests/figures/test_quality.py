"""数据质量: per plan and year, the outliers, the cities' sums that miss the province, the plan items 待核实 and per
district a count of each, for the readers of every district; as a page, an Excel workbook and in the API."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from figures.models import Observation, ObservationStatus
from planboard import roles
from plans.models import District, DistrictKind, Indicator, Target
from tests import story
from tests.story import approve, enter, official_for

pytestmark = pytest.mark.django_db

ENROLMENT = "general_high_school_enrolment"
BALANCED = "compulsory_quality_balanced_counties"
CITIES = ["fuzhou", "xiamen", "putian", "sanming", "quanzhou", "zhangzhou", "nanping", "longyan", "ningde", "pingtan"]


@pytest.fixture
def troubles(plan, reviewer):
    """2022: Longyan's enrolment grows 48 % while six cities grow 3 % (submitted, not yet approved); the cities'
    balanced counties add up to 10 against the province's 11 (drafts)."""
    for slug in [*CITIES[:6], "longyan"]:
        approve(plan, reviewer, District.objects.get(slug=slug), ENROLMENT, 2021, "10")
    for slug in CITIES[:6]:
        _submit(slug, "10.3")
    _submit("longyan", "14.8")
    for slug in CITIES:
        enter(plan, reviewer, District.objects.get(slug=slug), BALANCED, 2022, 1)
    enter(plan, reviewer, District.objects.get(slug="province"), BALANCED, 2022, 11)


def _submit(slug, value):
    district = District.objects.get(slug=slug)
    return story.submit(official_for(district), district, ENROLMENT, 2022, value)


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html, key):
    return text(re.search(rf'<section class="quality-section" id="{key}".*?</section>', html, re.S).group(0))


def test_the_page_lists_the_outlier_the_sum_mismatch_and_the_plan_items_to_check(client, reviewer, troubles):
    client.force_login(reviewer)
    html = client.get(reverse("figures:quality"), {"year": 2022}).content.decode()

    outliers = section(html, "outliers")
    assert "龙岩" in outliers and "14.8" in outliers and "同比 +48%，各地区中位数 +3%，修正 z 分数 15.2" in outliers
    sums = section(html, "sum_mismatches")
    assert "填报数据 2022 11 10 -1 0" in sums
    review = section(html, "needs_review")
    # 专栏1's 属性 was lost from the source: each main indicator is flagged 待核实 until it is filled in.
    assert "学前教育毛入园率" in review and "属性缺失" in review
    districts = section(html, "districts")
    assert re.search(r"龙岩 0 1 0", districts) and re.search(r"全省 0 0 1", districts)  # rules, outliers, sums
    assert "福州" not in districts  # nothing to look at there


def test_the_workbook_has_a_sheet_per_section_and_the_counts_of_every_district(client, reviewer, troubles):
    client.force_login(reviewer)
    response = client.get(reverse("figures:quality-xlsx"), {"year": 2022})

    assert response["Content-Disposition"] == 'attachment; filename="quality-fujian-14th-education-2022.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "不符合校验规则", "异常值", "加总不符", "待核实规划内容"]
    summary = list(book["汇总"].iter_rows(values_only=True))
    assert summary[1] == ("地区代码", "地区", "不符合校验规则", "异常值", "加总不符")
    counts = {r[1]: r[3:5] for r in summary[2:13]}
    assert counts["龙岩"] == (1, 0) and counts["全省"] == (0, 1) and counts["福州"] == (0, 0) and len(counts) == 11
    header, *lines = list(book["异常值"].iter_rows(min_row=2, values_only=True))
    line = dict(zip(header, lines[0], strict=True))
    assert (line["指标代码"], line["地区代码"], line["数值"], line["上年数值"]) == (ENROLMENT, "350800", 14.8, 10)
    assert (line["同比变动"], line["中位数"], line["修正 z 分数"]) == (48, 3, 15.18)
    header, *lines = list(book["加总不符"].iter_rows(min_row=2, values_only=True))
    assert dict(zip(header, lines[0], strict=True))["相差"] == -1


def test_the_workbook_is_english_for_an_english_reader(client, reviewer, troubles):
    client.force_login(reviewer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    book = load_workbook(io.BytesIO(client.get(reverse("figures:quality-xlsx"), {"year": 2022}).content))
    assert book.sheetnames == [
        "Summary",
        "Rules broken",
        "Outliers",
        "Sums that do not add up",
        "Plan items to check",
    ]


def test_the_api_gives_the_counts_and_each_section_in_pages(client, reviewer, troubles):
    client.force_login(reviewer)
    summary = client.get("/api/quality/", {"year": 2022}).json()

    assert summary["plan"] == "fujian-14th-education" and summary["year"] == 2022
    assert [(s["key"], s["count"]) for s in summary["sections"]][:3] == [
        ("broken_rules", 0),
        ("outliers", 1),
        ("sum_mismatches", 1),
    ]
    assert summary["sections"][1]["title"] == "异常值"
    counts = {d["district"]: d for d in summary["districts"]}
    assert counts["350800"] == {"district": "350800", "broken_rules": 0, "outliers": 1, "sum_mismatches": 0}
    assert len(counts) == 11

    found = client.get("/api/quality/outliers/", {"year": 2022}).json()
    assert (found["count"], found["next"], found["previous"]) == (1, None, None)
    [outlier] = found["outliers"]
    assert outlier == {
        "indicator": ENROLMENT,
        "indicator_name": Indicator.objects.get(code=ENROLMENT).name,
        "unit": "万人",
        "district": "350800",
        "district_name": "龙岩",
        "year": 2022,
        "value": 14.8,
        "previous": 10,
        "basis": "districts",
        "change_unit": "percent",
        "change": 48.0,
        "median": 3.0,
        "score": 15.18,
        "explanation": "同比 +48%，各地区中位数 +3%，修正 z 分数 15.2",
    }
    sums = client.get("/api/quality/sum_mismatches/", {"year": 2022}).json()["sum_mismatches"]
    assert sums[0] == {
        "indicator": BALANCED,
        "indicator_name": Indicator.objects.get(code=BALANCED).name,
        "unit": "个",
        "kind": "figure",
        "kind_name": "填报数据",
        "year": 2022,
        "province": 11,
        "total": 10,
        "difference": -1,
        "tolerance": 0,
    }
    assert client.get("/api/quality/nothing/").status_code == 404
    assert client.get("/api/quality/outliers/", {"page": "x"}).status_code == 400
    assert client.get("/api/quality/outliers/", {"page": 2, "year": 2022}).status_code == 404
    assert client.get("/api/quality/", {"year": 2019}).status_code == 404


def test_leaders_see_what_is_approved_and_an_official_or_a_city_reviewer_gets_no_province_page(
    client, leader, official_fuzhou, make_user, troubles
):
    city_reviewer = make_user("reviewer_fuzhou", roles.CITY_REVIEWER, districts=["fuzhou"])
    client.force_login(leader)
    html = client.get(reverse("figures:quality"), {"year": 2022}).content.decode()
    # The outlier and the sums are work in progress, which leaders do not see; the plan's own items they do.
    assert "异常值 (0)" in section(html, "outliers") and "加总不符 (0)" in section(html, "sum_mismatches")
    assert "属性缺失" in section(html, "needs_review")
    for user in (official_fuzhou, city_reviewer):
        client.force_login(user)
        assert client.get(reverse("figures:quality")).status_code == 403
        assert client.get(reverse("figures:quality-xlsx")).status_code == 403
        assert client.get("/api/quality/").json()["error"]["code"] == "permission_denied"
    client.logout()
    assert client.get("/api/quality/").status_code == 401


def test_the_nav_leads_reviewers_and_leaders_to_the_page(client, reviewer, leader, official_fuzhou):
    link = f'href="{reverse("figures:quality")}"'
    for user, shown in ((reviewer, True), (leader, True), (official_fuzhou, False)):
        client.force_login(user)
        assert (link in client.get(reverse("dashboards:dashboard")).content.decode()) is shown


def _many_districts(plan, reviewer, n):
    """`n` more cities with targets and figures of every district-table metric in 2021 and 2022."""
    metrics = list(Indicator.objects.filter(plan=plan, sum_check=True))
    start = District.objects.count()
    districts = District.objects.bulk_create(
        District(
            code=f"99{i:04d}",
            name=f"测试市{i}",
            short_name=f"测试{i}",
            slug=f"test-{i}",
            kind=DistrictKind.CITY,
            order=start + i,
        )
        for i in range(n)
    )
    Target.objects.bulk_create(
        Target(indicator=m, district=d, year=plan.target_year, value=100) for m in metrics for d in districts
    )
    now = timezone.now()
    Observation.objects.bulk_create(
        Observation(
            indicator=m,
            district=d,
            year=year,
            value=10 + i % 7 + (year - 2021),
            status=ObservationStatus.APPROVED,
            entered_by=reviewer,
            entered_at=now,
        )
        for m in metrics
        for i, d in enumerate(districts)
        for year in (2021, 2022)
    )


def test_the_page_takes_as_many_queries_for_many_districts_as_for_a_few(
    client, plan, reviewer, troubles, django_assert_max_num_queries
):
    client.force_login(reviewer)
    # plan, session, user, 2 permissions, districts; the rules and their figures; the outliers' indicators,
    # figures and province; the sum check's metrics, province, figures and targets; 待核实's four kinds: 19. The
    # page adds the header's data version, notices, 待办 count and locks, the demo check and the session's save.
    pages = [(reverse("figures:quality"), 27), (reverse("figures:quality-xlsx"), 19), ("/api/quality/", 19)]
    for url, ceiling in pages:
        with django_assert_max_num_queries(ceiling):
            assert client.get(url, {"year": 2022}).status_code == 200
    _many_districts(plan, reviewer, 60)
    for url, ceiling in pages:
        with django_assert_max_num_queries(ceiling):
            assert client.get(url, {"year": 2022}).status_code == 200
