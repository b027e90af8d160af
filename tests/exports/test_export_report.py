"""Leaders, reviewers and analysts take the plan's progress away as one formatted Excel workbook."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from figures import pipeline
from figures.assessments import assess
from figures.models import Observation
from plans import progress
from plans.models import District, Indicator, Task, TaskItem
from tasks import services as tasks_services
from tasks.models import TaskStatus

pytestmark = pytest.mark.django_db

YEAR = 2024
SHEETS = ["总览", "分地区", "任务清单", "数据明细", "趋势图"]


def export(client, **params):
    response = client.get(reverse("exports:export-report"), {"year": YEAR, **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return b"".join(response.streaming_content)


def overview_lines(workbook):
    """{indicator name: {header: value}} of the overview's indicator lines (header on row 5)."""
    sheet = workbook["总览"]
    header = [c.value for c in sheet[5]]
    return {row[2].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=6)}


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def test_the_overview_says_what_the_dashboard_says(client, analyst, demo):
    client.force_login(analyst)
    workbook = load_workbook(io.BytesIO(export(client)))
    assert workbook.sheetnames == SHEETS
    overview = workbook["总览"]
    assert overview["A1"].value == "福建省“十四五”教育发展专项规划"
    assert overview["B2"].value == "闽政办〔2021〕50号" and overview["B3"].value == YEAR
    lines = overview_lines(workbook)

    dashboard = client.get(reverse("dashboards:dashboard"), {"year": YEAR}).context
    assert len(lines) == len(dashboard["rows"]) == Indicator.objects.count()
    for row in dashboard["rows"]:
        line, assessment = lines[row.indicator.name], row.assessment
        assert line["状态"].value == progress.STATUS_LABELS[row.status]
        assert line["状态"].fill.fgColor.rgb == "00" + progress.STATUS_COLOURS[row.status].lstrip("#").upper()
        assert line["应达值"].value == pytest.approx(assessment.expected)
        if assessment.baseline and not row.indicator.cumulative:
            assert line["2020年基期"].value == pytest.approx(assessment.baseline[1])
        if assessment.latest and assessment.latest[0] == YEAR:
            assert line["2024年"].value == pytest.approx(assessment.latest[1])
    counts = [c.value for c in overview[4][1:] if c.value]
    assert counts == [f"{progress.STATUS_LABELS[status]} {n}" for status, n in dashboard["counts"]]


def test_numbers_are_formatted_by_unit_and_the_sheets_print_well(client, leader, demo):
    client.force_login(leader)
    workbook = load_workbook(io.BytesIO(export(client)))
    lines = overview_lines(workbook)
    assert lines["学前教育毛入园率"]["2024年"].number_format == '0.00"%"'
    assert lines["普通高中在校生"]["2024年"].number_format == '#,##0.00"万人"'
    assert lines["劳动年龄人口平均受教育年限"]["2024年"].number_format == '#,##0.00"年"'
    assert lines["创建100所中华优秀文化艺术传承学校"]["2024年"].number_format == "#,##0"
    for name in SHEETS[:4]:
        sheet = workbook[name]
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.freeze_panes and sheet.print_title_rows
    for name in SHEETS[:3]:  # 数据明细 prints at a readable scale instead (test_report_prints_readably.py)
        sheet = workbook[name]
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert workbook["总览"].column_dimensions["C"].width >= 2 * len("高等职业教育专科（高职高专）在校生")


def test_the_district_sheet_shows_each_districts_own_target_and_status(client, reviewer, demo):
    client.force_login(reviewer)
    sheet = load_workbook(io.BytesIO(export(client)))["分地区"]
    assert sheet["B1"].value == "普通高中在校生（万人）"
    assessments = assess(Indicator.objects.first().plan, as_of=YEAR)
    indicator = Indicator.objects.get(code="general_high_school_enrolment")
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    assert len(rows) == District.objects.count()
    for district in District.objects.exclude(kind="province"):
        assessment = assessments[(indicator.pk, district.pk)]
        value, target, status = rows[district.name][1:4]
        assert value.value == pytest.approx(assessment.latest[1])
        assert target.value == f"{assessment.final.year}: {indicator.targets.get(district=district, year=2025).display}"
        assert status.value == progress.STATUS_LABELS[assessment.status]


def test_the_task_sheet_lists_every_task_and_item_with_its_yearly_status(client, analyst, make_user):
    task = Task.objects.get(number=2)
    tasks_services.save_task_report(
        task=task, year=2023, by=make_user("admin", superuser=True), status=TaskStatus.LAGGING, summary="场地不足"
    )
    client.force_login(analyst)
    sheet = load_workbook(io.BytesIO(export(client)))["任务清单"]
    header = [c.value for c in sheet[1]]
    assert header[-4:] == ["2021年进展", "2022年进展", "2023年进展", "2024年进展"]
    lines = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {line[0] for line in lines} == set(range(1, 31))
    assert len(lines) == TaskItem.objects.count() + Task.objects.filter(items__isnull=True).count()
    assert {line[header.index("2023年进展")] for line in lines if line[0] == 2} == {"滞后"}
    assert {line[header.index("2023年进展")] for line in lines if line[0] != 2} == {None}


def test_formula_looking_text_comes_back_out_as_text(client, analyst, official_fuzhou):
    fuzhou = District.objects.get(code="350100")
    notes = ["=1+2", "+86 591", "-3 个百分点", "@SUM(A1)", "\t缩进", "\r回车", "#N/A"]
    indicators = Indicator.objects.filter(
        code__in=["general_high_school_enrolment", "compulsory_quality_balanced_counties"]
    )
    cells = [(indicator, year) for indicator in indicators for year in (2021, 2022, 2023, 2024)]
    for (indicator, year), note in zip(cells, notes, strict=False):
        figure = pipeline.record_value(indicator=indicator, district=fuzhou, year=year, value=12, by=official_fuzhou)
        # The service trims notes; text pasted in the admin or by SQL keeps its leading tab.
        Observation.objects.filter(pk=figure.pk).update(note=note, source=note)
    client.force_login(analyst)
    data = export(client)
    sheet = load_workbook(io.BytesIO(data))["数据明细"]
    header = [c.value for c in sheet[1]]
    written = [
        dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2)
        if row[2].value == "350100" and row[4].value > 2020
    ]
    assert sorted(line["说明"].value for line in written) == sorted(notes)
    assert {line["说明"].data_type for line in written} == {"s"}
    assert {line["数据来源"].data_type for line in written} == {"s"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not any(b"<f>" in archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/"))


def test_the_detail_sheet_has_what_the_user_may_see(client, leader, analyst, official_fuzhou):
    pipeline.record_value(
        indicator=Indicator.objects.get(code="general_high_school_enrolment"),
        district=District.objects.get(code="350100"),
        year=YEAR,
        value=12,
        by=official_fuzhou,
    )
    client.force_login(analyst)
    detail = load_workbook(io.BytesIO(export(client)))["数据明细"]
    drafts = [row for row in detail.iter_rows(min_row=2, values_only=True) if row[7] == "草稿"]
    assert drafts == [
        (
            "general_high_school_enrolment",
            "普通高中在校生",
            "350100",
            "福州市",
            YEAR,
            12,
            "万人",
            "草稿",
            None,
            None,
            "official_fuzhou",
            drafts[0][11],
            None,
            None,
        )
    ]
    client.force_login(leader)
    detail = load_workbook(io.BytesIO(export(client)))["数据明细"]
    assert {row[7] for row in detail.iter_rows(min_row=2, values_only=True)} == {"已审核"}
    assert detail.max_row - 1 == Observation.objects.approved().count()


def test_a_chart_per_main_indicator_is_native_excel(client, analyst, demo):
    client.force_login(analyst)
    with zipfile.ZipFile(io.BytesIO(export(client))) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        assert len(charts) == Indicator.objects.filter(section="专栏1").count()
        assert b"<lineChart>" in archive.read(charts[0])


def test_one_district_only(client, analyst, demo):
    client.force_login(analyst)
    workbook = load_workbook(io.BytesIO(export(client, district="350100")))
    assert workbook["总览"]["D2"].value == "福州市"
    assert [row[0].value for row in workbook["分地区"].iter_rows(min_row=3)] == ["福州市"]
    assert {row[2] for row in workbook["数据明细"].iter_rows(min_row=2, values_only=True)} == {"350100"}


def test_officials_cannot_export(client, official_fuzhou):
    client.force_login(official_fuzhou)
    assert client.get(reverse("exports:export-report"), {"year": YEAR}).status_code == 403
    assert client.get(reverse("exports:export")).status_code == 403


def test_a_year_outside_the_plan_is_not_found(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("exports:export-report"), {"year": 2031}).status_code == 404


@pytest.mark.parametrize("with_demo", [False, True])
def test_export_queries_do_not_grow_with_the_data(client, analyst, with_demo, django_assert_max_num_queries):
    if with_demo:
        call_command("load_demo", verbosity=0)
    client.force_login(analyst)
    # session, user, perms, plan, year, districts, indicators, targets, figures, assess twice (3 each: the
    # overview's district, the district sheet's indicators), tasks, items, task reports, names, the detail rows
    with django_assert_max_num_queries(24):
        export(client)


def test_the_command_writes_the_same_workbook(tmp_path, demo):
    path = tmp_path / "报表.xlsx"
    call_command("export_report", str(path), "--year", str(YEAR), verbosity=0)
    workbook = load_workbook(path)
    assert workbook.sheetnames == SHEETS
    assert workbook["总览"]["B3"].value == YEAR
    assert workbook["数据明细"].max_row - 1 == Observation.objects.count()
