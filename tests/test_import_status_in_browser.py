"""An upload never changes a figure's status behind the preview's back: official_fuzhou has submitted figures,
fills the template again, changes two and uploads it as drafts. The preview says, row by row, that those two go
from 已提交 back to 草稿 (and leave the review list), and nothing happens until she ticks that she wants that."""

import pytest
from openpyxl import load_workbook

from figures import pipeline
from figures.models import Observation
from planboard import roles
from plans.models import District, Indicator

pytestmark = pytest.mark.browser

CODES = ["general_high_school_enrolment", "preschool_inclusive_inspection_counties"]


def test_a_draft_upload_over_submitted_figures_says_so_row_by_row_and_asks(browser_plan, make_user, login, tmp_path):
    official = make_user("official_fuzhou", roles.OFFICIAL, districts=["fuzhou"])
    fuzhou = District.objects.get(slug="fuzhou")
    for code, value in zip(CODES, ["14.71", "3"], strict=True):
        pipeline.record_value(
            by=official,
            indicator=Indicator.objects.get(code=code),
            district=fuzhou,
            year=2024,
            value=value,
            action="submit",
            confirm=True,
            note="说明",
            reason="原因",
            measures="措施",
        )
    page = login(official)
    page.get_by_role("link", name="Excel导入").click()
    page.select_option("select[name=year]", "2024")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载模板").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook["福州"]
    for row in sheet.iter_rows(min_row=3):
        if row[0].value == CODES[0]:
            sheet[f"G{row[0].row}"] = 14.8
        elif row[0].value == CODES[1]:
            sheet[f"G{row[0].row}"] = 4
    filled = tmp_path / "福州2024.xlsx"
    workbook.save(filled)

    page.set_input_files("input[name=file]", str(filled))
    page.get_by_label("存为草稿").check()
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url("**/import/preview/")
    rows = page.locator("table.import-preview tbody tr")
    assert rows.count() == 2
    for n in range(2):
        assert "已提交 → 草稿" in rows.nth(n).inner_text()
    assert "2 项已提交审核的数据将改为草稿" in page.locator("main").inner_text()

    # Confirming without saying yes to that is not possible in the page...
    page.get_by_role("button", name="确认导入").click()
    assert page.url.endswith("/import/preview/")
    assert set(Observation.objects.filter(year=2024).values_list("status", flat=True)) == {"submitted"}
    # ... and once ticked, the two become drafts, as the preview said.
    page.get_by_label("将这 2 项改为草稿").check()
    page.get_by_role("button", name="确认导入").click()
    assert "已导入 2 行" in page.locator(".message").inner_text()
    assert set(Observation.objects.filter(year=2024).values_list("status", flat=True)) == {"draft"}
