"""An official downloads the Excel template in chromium, fills it in, uploads it, checks the preview and confirms;
an analyst downloads the report."""

from decimal import Decimal

import pytest
from openpyxl import load_workbook

from figures.models import Observation
from planboard import roles

pytestmark = pytest.mark.browser


def test_an_official_fills_the_template_and_confirms_the_preview(browser_plan, make_user, login, tmp_path):
    page = login(make_user("official_fuzhou", roles.OFFICIAL, districts=["fuzhou"]))
    page.get_by_role("link", name="Excel导入").click()
    page.select_option("select[name=year]", "2024")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载模板").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    workbook = load_workbook(template)
    sheet = workbook["福州"]
    row = next(r[0].row for r in sheet.iter_rows(min_row=3) if r[0].value == "general_high_school_enrolment")
    sheet[f"G{row}"] = 15
    filled = tmp_path / "福州2024.xlsx"
    workbook.save(filled)

    page.set_input_files("input[name=file]", str(filled))
    page.get_by_label("存为草稿").check()
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url("**/import/preview/")
    preview_row = page.locator("table.import-preview tbody tr")
    assert preview_row.count() == 1
    assert "新增" in preview_row.inner_text() and "普通高中在校生" in preview_row.inner_text()
    assert not Observation.objects.filter(year=2024).exists()

    page.get_by_role("button", name="确认导入").click()
    assert "已导入 1 行：新增 1 行" in page.locator(".message").inner_text()
    saved = Observation.objects.get(year=2024)
    assert (saved.value, saved.status, saved.source) == (Decimal(15), "draft", "")


def test_a_bad_file_is_refused_on_the_upload_page(browser_plan, make_user, login, tmp_path):
    page = login(make_user("official_fuzhou", roles.OFFICIAL, districts=["fuzhou"]))
    page.get_by_role("link", name="Excel导入").click()
    renamed = tmp_path / "数据.xlsx"
    renamed.write_text("indicator,district,year,value\n", encoding="utf-8")
    page.set_input_files("input[name=file]", str(renamed))
    page.get_by_role("button", name="上传并预览").click()
    assert "改了扩展名的 CSV" in page.locator(".errorlist").inner_text()


def test_an_analyst_downloads_the_report(browser_plan, make_user, login, tmp_path):
    page = login(make_user("analyst", roles.ANALYST))
    page.get_by_role("link", name="导出报表").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 .xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    download.value.save_as(tmp_path / "report.xlsx")
    assert load_workbook(tmp_path / "report.xlsx").sheetnames == ["总览", "分地区", "任务清单", "数据明细", "趋势图"]
