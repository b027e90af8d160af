"""The Excel report printed from LibreOffice on A4 landscape: every value readable ("106.55万人", never "###"),
the document number in full, and the title rows on every page."""

import subprocess

import pytest
from openpyxl import load_workbook

from tests.exports.test_export_in_libreoffice import report, soffice  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_the_printed_report_shows_every_value(report, tmp_path):  # noqa: F811
    soffice(tmp_path, report, "pdf")
    pdf = tmp_path / "report.pdf"
    assert pdf.exists(), "LibreOffice did not convert the report"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert "###" not in text, [line for line in text.splitlines() if "###" in line][:5]
    assert "闽政办〔2021〕50号" in text
    assert "万人" in text


def test_every_sheet_prints_landscape_on_a4_with_its_title_rows_repeated(report):  # noqa: F811
    workbook = load_workbook(report)
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.paperSize in ("9", 9), sheet.title
    assert workbook["总览"].print_title_rows
    assert workbook["分地区"].print_title_rows and workbook["数据明细"].print_title_rows
