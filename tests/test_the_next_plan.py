"""The story of #13 end to end: the department uploads its 十五五 plan as a workbook while the 十四五 is being
closed. The 2025 高等教育毛入学率 is entered once; the old plan, its final year locked, turns read-only yet stays
browsable; the switcher leads from one plan to the other; either plan's indicator page draws the whole line; the
reports answer for both plans."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from dashboards import overviews
from planboard import roles
from plans import workbook
from plans.models import Plan
from tests import story
from tests.conftest import FUJIAN
from tests.figures.test_shared_figures import CODE, next_plan_rows

pytestmark = pytest.mark.django_db

NEXT = "next-plan"


@pytest.fixture
def next_plan(client, make_user, plan):
    """An administrator downloads nothing by hand: he fills the workbook and uploads it, previews and confirms."""
    client.force_login(make_user("planner", roles.ADMINISTRATOR))
    upload = SimpleUploadedFile("十五五.xlsx", workbook.write_workbook(next_plan_rows()))
    preview = client.post(reverse("plans:workbook"), {"file": upload}, follow=True).content.decode()
    assert CODE in preview and "新增" in preview
    assert client.post(reverse("plans:workbook-confirm")).status_code == 302
    client.logout()
    return Plan.objects.get(code=NEXT)


@pytest.fixture
def figures_of_both_plans(plan, next_plan, reviewer, district):
    province = district("province")
    for year, value in [(2021, "59.1"), (2022, "60.5"), (2023, "62"), (2024, "64"), (2025, "66.2")]:
        story.approve(plan, reviewer, province, CODE, year, value)
    story.approve(next_plan, reviewer, province, CODE, 2026, "67")
    # The 十四五 is closed: its final year is locked.
    story.close_plan(plan, by=reviewer)
    return province


def chart_of(page):
    start = page.index('<script id="path-chart" type="application/json">') + len(
        '<script id="path-chart" type="application/json">'
    )
    return {trace["name"]: trace for trace in json.loads(page[start : page.index("</script>", start)])["data"]}


def test_the_new_plans_indicator_page_draws_the_whole_line_and_switches_to_the_old_plan(
    client, leader, plan, next_plan, figures_of_both_plans
):
    client.force_login(leader)
    page = client.get(f"/plans/{NEXT}/indicators/{CODE}/", {"year": 2026}).content.decode()

    assert "《“十五五”教育发展规划（试）》" in page and "2026–2030" in page
    assert f'<option value="{FUJIAN}">' in page and f'<option value="{NEXT}" selected>' in page
    traces = chart_of(page)
    assert list(traces["实际值"]["x"]) == list(range(2020, 2027))
    assert list(traces["实际值"]["y"])[-2:] == [66.2, 67]
    assert f"最终目标（{plan.name}）" in traces and f"最终目标（{next_plan.name}）" in traces
    # The 2025 figure is the new plan's baseline: recorded once, not copied.
    assert list(traces[f"基期值（{next_plan.name}）"]["y"]) == [66.2]

    switched = client.get(reverse("switch-plan"), {"to": FUJIAN, "next": f"/plans/{NEXT}/indicators/{CODE}/"})
    assert switched["Location"] == f"/plans/{FUJIAN}/indicators/{CODE}/"
    old_page = client.get(switched["Location"], {"year": 2025}).content.decode()
    assert list(chart_of(old_page)["实际值"]["y"])[-2:] == [66.2, 67]


def test_the_closed_plan_refuses_figures_but_the_new_plan_takes_them(
    client, official_province, plan, next_plan, figures_of_both_plans
):
    client.force_login(official_province)
    body = {"indicator": CODE, "district": "350000", "value": "68", "action": "submit"}

    refused = client.post(
        f"{reverse('figures:api-observations')}?plan={FUJIAN}", {**body, "year": 2024}, content_type="application/json"
    )
    assert refused.status_code == 409 and "已锁定" in refused.json()["error"]["message"]
    assert client.get(f"/plans/{FUJIAN}/indicators/{CODE}/").status_code == 200

    new_figure = {**body, "indicator": "preschool_gross_enrolment", "year": 2026, "value": "91"}
    taken = client.post(
        f"{reverse('figures:api-observations')}?plan={NEXT}", new_figure, content_type="application/json"
    )
    assert taken.status_code == 201, taken.content


def test_the_reports_answer_for_either_plan(client, analyst, plan, next_plan, figures_of_both_plans):
    client.force_login(analyst)

    def evaluation_row(code, year):
        response = client.get(f"/plans/{code}/export/evaluation.docx", {"year": year})
        assert response.status_code == 200
        document = Document(io.BytesIO(b"".join(response.streaming_content)))
        rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
        return next(row for row in rows if "高等教育毛入学率" in "".join(row))

    final = evaluation_row(FUJIAN, 2025)
    assert "66.20" in final and "2025" in "".join(final)
    started = evaluation_row(NEXT, 2026)
    assert "66.20" in started and "67.00" in started  # the baseline the 十四五 ended on, and the first new figure

    response = client.get(f"/plans/{NEXT}/export/report.xlsx", {"year": 2026, "district": "350000"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    row = next(r for r in sheet.iter_rows(values_only=True) if any("高等教育毛入学率" in str(c) for c in r if c))
    assert 66.2 in row and 67 in row


def test_the_new_plans_dashboard_counts_its_shared_figure_among_its_approved_pairs(
    client, leader, next_plan, figures_of_both_plans
):
    """The 2026 高等教育毛入学率 is stored on the 十四五's indicator (entered once, README "Figures two plans share"),
    yet it is the new plan's figure: the new plan's completeness and default year count it."""
    by_year, pair_count = overviews.approved_pairs(next_plan)
    assert (by_year.get(2026), pair_count) == (1, 3)
    client.force_login(leader)
    assert "2026年已审核 1/3" in client.get(f"/plans/{NEXT}/").content.decode()
