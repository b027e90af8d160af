"""The Word evaluation report on paper (LibreOffice Writer to PDF): headers that wrap where they should, the district
tables' baselines as the web prints them, an annex that is not nine tenths dashes, and the report's status words
explained against the pages' labels."""

import io
import re
import subprocess

import pytest
from django.core.management import call_command
from docx import Document

from dashboards import district_table as district_targets
from exports import evaluation
from plans.models import District
from tests.office import soffice

pytestmark = pytest.mark.django_db

YEAR = 2023


@pytest.fixture
def report(plan):
    call_command("load_demo", verbosity=0)
    return evaluation.build_evaluation(plan, YEAR)


def annex_tables(document):
    """The tables after the 附表 heading."""
    body = document.element.body
    heading = next(p for p in document.paragraphs if p.text.startswith("附表 各地区指标完成情况"))
    after = list(body).index(heading._p)
    return [t for t in document.tables if list(body).index(t._tbl) > after]


def test_the_printed_report_keeps_the_base_year_whole_and_explains_its_words(report, tmp_path):
    source = tmp_path / "evaluation.docx"
    source.write_bytes(report)
    soffice(tmp_path, source, "pdf")
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "evaluation.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    squeezed = re.sub(r"\s+", "", text)
    assert "基期值（2020年）" in squeezed
    assert not re.search(r"（2020\s*\n", text), "the base year header wraps inside its brackets"
    assert "“基本符合预期”即页面的“符合预期”" in squeezed
    assert "“提前实现”是目标年份之前已达到最终目标，页面显示为“已实现”" in squeezed


def test_a_running_total_without_a_baseline_counts_from_zero_as_on_the_web(report, plan):
    document = Document(io.BytesIO(report))
    indicators, _years, rows = district_targets.district_table(plan=plan, as_of=YEAR, visible=District.objects.all())
    tables = [t for t in document.tables if t.rows[0].cells[0].text == "地区"]
    assert len(tables) == len(indicators)
    zeros = 0
    for column, (indicator, table) in enumerate(zip(indicators, tables, strict=True)):
        shown = {row.cells[0].text: row.cells[1].text for row in table.rows[1:]}
        for district, cells in rows:
            if cells[column].baseline is None and indicator.cumulative:
                assert shown[str(district)] == "0", (indicator.code, str(district))
                zeros += 1
    assert zeros


def test_the_annex_is_mostly_verdicts_not_dashes(report):
    tables = annex_tables(Document(io.BytesIO(report)))
    cells = [c.text for t in tables for row in t.rows[1:] for c in row.cells[3:]]
    assert len(cells) > 40
    assert cells.count("—") / len(cells) < 0.25, f"{cells.count('—')} of {len(cells)} cells are dashes"
