"""The long format: every sheet, Chinese or English headers, names in the preview, sources kept."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from figures import pipeline
from figures.models import Observation
from plans.models import District, Indicator

pytestmark = pytest.mark.django_db

YEAR = 2024
ENGLISH = ["indicator", "district", "year", "value", "note", "source"]
CHINESE = ["指标", "地区", "年份", "数值", "说明", "数据来源"]


def workbook_file(sheets, name="年报.xlsx"):
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, lines in sheets.items():
        sheet = workbook.create_sheet(title)
        for line in lines:
            sheet.append(list(line))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def upload(client, file, action="save"):
    return client.post(reverse("figures:import"), {"file": file, "action": action})


def preview(client):
    return client.get(reverse("figures:import-preview")).context["preview"]


def test_every_sheet_of_a_long_workbook_is_imported(client, analyst):
    client.force_login(analyst)
    file = workbook_file(
        {
            "福州": [ENGLISH, ["general_high_school_enrolment", "350100", YEAR, 15.2, "", "年鉴"]],
            "厦门": [CHINESE, ["preschool_inclusive_inspection_counties", "厦门", YEAR, 3, "", ""]],
            "空白": [],
        }
    )
    assert upload(client, file).status_code == 302
    lines = preview(client).lines
    assert [(line.sheet, line.district, line.change) for line in lines] == [
        ("福州", "福州市", "new"),
        ("厦门", "厦门市", "new"),
    ]
    client.post(reverse("figures:import-confirm"))
    assert dict(Observation.objects.filter(year=YEAR).values_list("district__code", "value")) == {
        "350100": Decimal("15.2"),
        "350200": Decimal("3"),
    }


def test_a_long_workbook_with_a_bad_sheet_is_refused_whole_saying_which(client, analyst):
    client.force_login(analyst)
    file = workbook_file(
        {
            "福州": [ENGLISH, ["general_high_school_enrolment", "350100", YEAR, 15.2, "", ""]],
            "备注": [["说明文字"]],
        }
    )
    response = upload(client, file)
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["file"])
    assert "工作表“备注”" in message and "缺少列" in message
    assert not Observation.objects.filter(year=YEAR).exists()


def test_the_same_figure_on_two_sheets_is_refused(client, analyst):
    client.force_login(analyst)
    row = ["general_high_school_enrolment", "350100", YEAR, 15.2, "", ""]
    file = workbook_file({"一": [ENGLISH, row], "二": [CHINESE, [*row[:1], "福州", *row[2:]]]})
    response = upload(client, file)
    message = " ".join(response.context["form"].errors["file"])
    assert "工作表“二”第2行与工作表“一”第2行是同一项数据" in message


def test_chinese_headers_are_read_and_the_page_lists_them(client, analyst):
    client.force_login(analyst)
    page = client.get(reverse("figures:import")).content.decode()
    for header in ["指标", "地区", "年份", "数值", "说明", "数据来源", "确认大幅变动", "原因分析", "整改措施"]:
        assert f'<td lang="zh-Hans">{header}</td>' in page
    header = "指标,地区,年份,数值,说明,数据来源,确认大幅变动,原因分析,整改措施\n"
    file = io.BytesIO((header + "putonghua_rate,350000,2024,91,,统计公报,,,\n").encode())
    file.name = "年报.csv"
    upload(client, file)
    assert preview(client).counts["new"] == 1


def test_error_rows_show_names_not_codes(client, official_fuzhou):
    client.force_login(official_fuzhou)
    file = workbook_file({"表": [ENGLISH, ["general_high_school_enrolment", "350200", YEAR, 6.5, "", ""]]})
    upload(client, file)
    (line,) = preview(client).lines
    assert line.change == "error"
    assert (line.indicator, line.district) == ("普通高中在校生", "厦门市")
    page = client.get(reverse("figures:import-preview")).content.decode()
    assert "general_high_school_enrolment" not in page and "350200" not in page


def test_an_empty_source_keeps_the_stored_one_and_a_file_name_is_never_a_source(client, official_fuzhou):
    pipeline.record_value(
        indicator=Indicator.objects.get(code="general_high_school_enrolment"),
        district=District.objects.get(code="350100"),
        year=YEAR,
        value=6,
        source="教育统计年鉴",
        by=official_fuzhou,
    )
    client.force_login(official_fuzhou)
    upload(
        client,
        workbook_file(
            {
                "表": [
                    ENGLISH,
                    ["general_high_school_enrolment", "350100", YEAR, 6, "", ""],
                    ["preschool_inclusive_inspection_counties", "350100", YEAR, 2, "", None],
                ]
            }
        ),
    )
    lines = preview(client).lines
    assert [line.change for line in lines] == ["unchanged", "new"]
    page = client.get(reverse("figures:import-preview")).content.decode()
    assert "6 → 6" not in page
    client.post(reverse("figures:import-confirm"))
    assert dict(Observation.objects.filter(year=YEAR).values_list("indicator__code", "source")) == {
        "general_high_school_enrolment": "教育统计年鉴",
        "preschool_inclusive_inspection_counties": "",
    }


def test_the_template_has_a_source_column(client, official_fuzhou):
    from openpyxl import load_workbook

    client.force_login(official_fuzhou)
    response = client.get(reverse("figures:import-template"), {"year": YEAR})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["福州"]
    headers = [cell.value for cell in sheet[2]]
    assert headers[-1] == "数据来源"
    row = next(r[0].row for r in sheet.iter_rows(min_row=3) if r[0].value == "general_high_school_enrolment")
    sheet[f"G{row}"], sheet[f"L{row}"] = 12.3, "教育统计年鉴"
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "填报.xlsx"
    upload(client, buffer)
    client.post(reverse("figures:import-confirm"))
    assert Observation.objects.get(year=YEAR).source == "教育统计年鉴"


def test_the_same_template_under_another_name_is_unchanged(client, official_fuzhou):
    from openpyxl import load_workbook

    client.force_login(official_fuzhou)
    response = client.get(reverse("figures:import-template"), {"year": YEAR})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["福州"]
    row = next(r[0].row for r in sheet.iter_rows(min_row=3) if r[0].value == "general_high_school_enrolment")
    sheet[f"G{row}"] = 6
    for name in ("填报.xlsx", "填报（第二次）.xlsx"):
        buffer = io.BytesIO()
        workbook.save(buffer)
        buffer.seek(0)
        buffer.name = name
        upload(client, buffer)
        shown = preview(client)
        client.post(reverse("figures:import-confirm"))
    assert shown.counts == {"new": 0, "changed": 0, "unchanged": 1, "error": 0}
    assert "6 → 6" not in client.get(reverse("figures:import")).content.decode()


@pytest.mark.parametrize("sheets", [1, 2], ids=["one sheet", "two sheets"])
def test_a_large_move_between_years_on_different_sheets_needs_confirming_as_on_one(client, analyst, sheets):
    client.force_login(analyst)
    rows = [
        ["general_high_school_enrolment", "350100", 2023, 9.3, "", ""],
        ["general_high_school_enrolment", "350100", 2024, 13.5, "", ""],
    ]
    if sheets == 1:
        file = workbook_file({"一": [ENGLISH, *rows]})
    else:
        file = workbook_file({"一": [ENGLISH, rows[0]], "二": [CHINESE, rows[1]]})
    assert upload(client, file).status_code == 302
    lines = preview(client).lines
    assert [(line.year, line.change) for line in lines] == [(2023, "new"), (2024, "error")]
    assert "与上年（2023年：9.3）相比变动超过" in " ".join(lines[1].errors)
