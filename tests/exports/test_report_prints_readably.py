"""The Excel report printed from LibreOffice on A4 landscape: every value readable ("106.55万人", never "###"),
the document number in full, and the title rows on every page."""

import re
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


def printed(workbook, tmp_path):
    """The report as LibreOffice prints it: [(page text, [(x0, y0, x1, y1, word), ...]), ...] page by page."""
    soffice(tmp_path, workbook, "pdf")
    pdf = tmp_path / "report.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    words = [
        [(*map(float, found[:4]), found[4]) for found in re.findall(WORD, page)] for page in boxes.split("<page ")[1:]
    ]
    return list(zip(text.split("\f"), words, strict=False))


WORD = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
HEADER = "福建省“十四五”教育发展专项规划 闽政办〔2021〕50号"


def median_height(words):
    heights = sorted(y1 - y0 for _x0, y0, _x1, y1, _w in words)
    return heights[len(heights) // 2]


def test_the_district_sheet_prints_whole_headers_and_keeps_values_apart_from_targets(report, tmp_path):  # noqa: F811
    pages = printed(report, tmp_path)
    text, words = next(page for page in pages if "2024年数值" in page[0])
    assert "普通高中在校生（万人）" in text  # was cut to "普通高中在校生（"
    targets = [w for w in words if re.fullmatch(r"2025:", w[4])]
    assert len(targets) > 20
    for x0, y0, _x1, _y1, _word in targets:
        before = [w for w in words if abs(w[1] - y0) < 2 and w[2] <= x0 + 0.5]
        nearest = max(before, key=lambda w: w[2])
        assert x0 - nearest[2] >= 4, f"“{nearest[4]}” runs into “2025:”"


def test_every_figure_prints_at_a_readable_size(report, tmp_path):  # noqa: F811
    pages = printed(report, tmp_path)
    detail = [words for text, words in pages if "指标代码" in text]
    district = next(words for text, words in pages if "2024年数值" in text)
    assert detail
    # The 分地区 sheet prints at about 90 %; the figures were at 45 % (text 4 pt high).
    assert all(median_height(words) >= 0.7 * median_height(district) for words in detail)


def test_no_chart_is_cut_by_a_page_break(report, tmp_path):  # noqa: F811
    pages = printed(report, tmp_path)
    trends = [text for text, _words in pages if all(header in text for header in ("基期值", "实际值", "目标值"))]
    assert len(trends) >= 5
    for text in trends:
        lines = [line.strip() for line in text.splitlines() if line.strip() and line.strip() != HEADER]
        assert re.fullmatch(r".+（.+）", lines[0]), f"a page starts with {lines[0]!r}, not an indicator's heading"
