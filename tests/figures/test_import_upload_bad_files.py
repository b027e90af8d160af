"""A bad file gets one clear message and changes nothing, whatever is wrong with it."""

import io
import zipfile

import msoffcrypto
import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from figures import excel_files, excel_import
from figures.models import Observation
from plans import xlsx_uploads
from plans.models import District
from tests.story import approve

pytestmark = pytest.mark.django_db

YEAR = 2024


@pytest.fixture
def fuzhou(client, official_fuzhou):
    client.force_login(official_fuzhou)
    return client


@pytest.fixture
def template(fuzhou):
    response = fuzhou.get(reverse("figures:import-template"), {"year": YEAR})
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def saved(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def named(data, name):
    file = io.BytesIO(data)
    file.name = name
    return file


def refused(client, data, name="填报.xlsx"):
    """Upload; return the form's message. The upload must stop at the form and save nothing."""
    response = client.post(reverse("figures:import"), {"file": named(data, name), "action": "save"})
    assert response.status_code == 200
    assert excel_import.SESSION_KEY not in client.session
    assert not Observation.objects.filter(year=YEAR).exists()
    return " ".join(response.context["form"].errors["file"])


def long_table(*rows, header=("indicator", "district", "year", "value", "note")):
    workbook = Workbook()
    workbook.active.append(list(header))
    for row in rows:
        workbook.active.append(list(row))
    return saved(workbook)


def fill(template, code, value, column="G"):
    sheet = template["福州"]
    for row in sheet.iter_rows(min_row=3):
        if row[0].value == code:
            sheet[f"{column}{row[0].row}"] = value
            return sheet
    raise AssertionError(code)


def test_a_file_that_is_not_excel_or_csv_is_refused(fuzhou):
    assert "只接受 .xlsx 或 .csv 文件" in refused(fuzhou, b"%PDF-1.4 ...", "数据.pdf")


def test_a_csv_renamed_to_xlsx_is_refused(fuzhou):
    message = refused(fuzhou, b"indicator,district,year,value\nputonghua_rate,350100,2024,90\n", "数据.xlsx")
    assert "不是有效的 .xlsx 文件" in message and "改了扩展名的 CSV" in message


def test_a_macro_workbook_is_refused_by_name_and_by_content(fuzhou, template):
    assert "不接受含宏的文件" in refused(fuzhou, saved(template), "填报.xlsm")
    # The same macros hidden in a file renamed to .xlsx.
    buffer = io.BytesIO(saved(template))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00macro")
    assert "文件含有宏" in refused(fuzhou, buffer.getvalue())


def test_a_password_protected_workbook_is_refused(fuzhou, template):
    encrypted = io.BytesIO()
    msoffcrypto.OfficeFile(io.BytesIO(saved(template))).encrypt("secret", encrypted)
    assert "文件设置了打开密码" in refused(fuzhou, encrypted.getvalue())


def test_an_old_xls_file_is_refused_with_how_to_fix_it(fuzhou):
    assert "另存为 .xlsx" in refused(fuzhou, xlsx_uploads.OLE_MAGIC + b"\x00" * 600, "填报.xlsx")


def test_a_file_over_the_size_limit_is_refused(fuzhou):
    assert "文件超过 5 MB" in refused(fuzhou, b"PK\x03\x04" + b"\x00" * excel_files.MAX_BYTES)


def test_a_file_over_the_row_limit_is_refused(fuzhou):
    rows = [("putonghua_rate", "350100", YEAR, 90)] * (excel_files.MAX_ROWS + 1)
    assert f"文件超过 {excel_files.MAX_ROWS} 行" in refused(fuzhou, long_table(*rows))
    csv = "indicator,district,year,value\n" + "putonghua_rate,350100,2024,90\n" * (excel_files.MAX_ROWS + 1)
    assert f"文件超过 {excel_files.MAX_ROWS} 行" in refused(fuzhou, csv.encode(), "数据.csv")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(fuzhou, template):
    buffer = io.BytesIO(saved(template))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/padding.xml", "w") as padding:
            for _chunk in range(xlsx_uploads.MAX_UNPACKED // (1 << 20) + 1):
                padding.write(b" " * (1 << 20))
    assert len(buffer.getvalue()) < excel_files.MAX_BYTES
    assert "压缩炸弹" in refused(fuzhou, buffer.getvalue())


def test_formulas_are_refused_naming_the_cell(fuzhou, template):
    sheet = fill(template, "general_high_school_enrolment", "=D3*1.1")
    row = next(r[0].row for r in sheet.iter_rows(min_row=3) if r[0].value == "general_high_school_enrolment")
    assert f"工作表“福州”G{row}是公式" in refused(fuzhou, saved(template))


def test_merged_cells_are_refused(fuzhou, template):
    template["福州"].merge_cells("I3:K3")
    assert "工作表“福州”有合并单元格" in refused(fuzhou, saved(template))


def test_a_template_with_a_removed_or_added_column_is_refused(fuzhou, template):
    sheet = template["福州"]
    sheet["L2"] = "备注"
    assert "多出列：备注" in refused(fuzhou, saved(template))
    sheet["L2"] = None
    sheet["C2"] = None
    assert "缺少列：单位" in refused(fuzhou, saved(template))


def test_values_outside_the_template_columns_are_refused(fuzhou, template):
    fill(template, "general_high_school_enrolment", 12, column="G")
    fill(template, "general_high_school_enrolment", "多写的", column="M")
    assert "M列在表头之外有内容" in refused(fuzhou, saved(template))


def test_a_long_table_with_missing_or_unknown_columns_is_refused(fuzhou):
    assert "缺少列：数值（value）" in refused(fuzhou, long_table(header=("indicator", "district", "year")))
    extra = ("indicator", "district", "year", "value", "remarks")
    row = ("putonghua_rate", "350100", YEAR, 1, "x")
    assert "无法识别的列：remarks" in refused(fuzhou, long_table(row, header=extra))


def test_an_empty_template_is_refused(fuzhou, template):
    assert "没有填写任何数值" in refused(fuzhou, saved(template))


def test_another_districts_sheet_is_refused(client, analyst, official_fuzhou):
    client.force_login(analyst)
    response = client.get(reverse("figures:import-template"), {"year": YEAR})
    every_district = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    client.force_login(official_fuzhou)
    assert "工作表“全省”是福建省的填报表，您无权填报该地区的数据" in refused(client, saved(every_district))


def test_a_template_of_another_plan_is_refused(fuzhou, template):
    template["planboard"]["B2"] = "another-plan"
    assert "另一个规划的填报表" in refused(fuzhou, saved(template))


def test_a_csv_that_is_not_utf8_is_refused(fuzhou):
    data = "indicator,district,year,value\nputonghua_rate,福州,2024,90\n".encode("gb18030")
    assert "UTF-8" in refused(fuzhou, data, "数据.csv")


# Rows that are wrong are shown in the preview, naming sheet, row and column, and cannot be confirmed.


def preview(client, data, name="填报.xlsx"):
    response = client.post(reverse("figures:import"), {"file": named(data, name), "action": "save"})
    assert response.status_code == 302
    response = client.get(reverse("figures:import-preview"))
    return response.context["preview"], response.content.decode()


def test_unknown_indicators_and_districts_are_row_errors(client, analyst):
    client.force_login(analyst)
    result, page = preview(
        client,
        long_table(
            ("no_such_indicator", "350100", YEAR, 1, ""),
            ("putonghua_rate", "999999", YEAR, 90, ""),
            ("general_high_school_enrolment", "350100", YEAR, 12, ""),
        ),
    )
    assert [line.change for line in result.lines] == ["error", "error", "new"]
    assert "A列（indicator）：没有指标“no_such_indicator”" in result.lines[0].errors[0]
    assert "B列（district）：没有地区“999999”" in result.lines[1].errors[0]
    assert "确认导入" not in page
    client.post(reverse("figures:import-confirm"))
    assert not Observation.objects.filter(year=YEAR).exists()


def test_duplicate_rows_for_one_cell_are_row_errors(fuzhou, template):
    sheet = fill(template, "general_high_school_enrolment", 12)
    sheet.append(["general_high_school_enrolment", None, None, None, None, None, 13])
    result, page = preview(fuzhou, saved(template))
    assert result.lines[-1].change == "error"
    assert f"与第{result.lines[0].row}行是同一项数据" in result.lines[-1].errors[0]


def test_another_districts_rows_in_a_long_table_are_row_errors(fuzhou):
    result, page = preview(fuzhou, long_table(("general_high_school_enrolment", "350200", YEAR, 6, "")))
    assert result.lines[0].change == "error" and "没有这个地区" in result.lines[0].errors[0]


def test_a_large_move_needs_the_confirm_column_and_a_note(fuzhou, template, official_fuzhou, reviewer, plan):
    # Compared with the latest earlier approved figure (a draft would not count).
    approve(plan, reviewer, District.objects.get(code="350100"), "general_high_school_enrolment", YEAR - 1, 10)
    fill(template, "general_high_school_enrolment", 20)
    result, page = preview(fuzhou, saved(template))
    assert "H列（确认大幅变动）：与上年（2023年：10）相比变动超过20%" in result.lines[0].errors[0]
    fill(template, "general_high_school_enrolment", "是", column="H")
    result, page = preview(fuzhou, saved(template))
    assert "I列（说明）：大幅变动需要在说明中写明原因" in result.lines[0].errors[0]
    fill(template, "general_high_school_enrolment", "扩招", column="I")
    result, page = preview(fuzhou, saved(template))
    assert result.ok and result.lines[0].change == "new"
