"""The exported report opens in LibreOffice, not only in openpyxl: it prints to PDF and reads back as text.

soffice exits 0 even when a conversion fails, so the tests look for the files it should have written.
"""

import csv

import pytest
from django.core.management import call_command
from django.urls import reverse

from figures import pipeline
from figures.models import Observation
from plans import progress
from plans.models import District, Indicator
from tests.office import soffice

pytestmark = pytest.mark.django_db

YEAR = 2024
# Every sheet to its own CSV file, UTF-8, formulas' results rather than formulas (there should be none).
ALL_SHEETS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


@pytest.fixture
def report(client, analyst, official_fuzhou, tmp_path):
    call_command("load_demo", verbosity=0)
    figure = pipeline.record_value(
        indicator=Indicator.objects.get(code="general_high_school_enrolment"),
        district=District.objects.get(code="350100"),
        year=YEAR + 1,
        value=15,
        by=official_fuzhou,
    )
    Observation.objects.filter(pk=figure.pk).update(note="=1+2", source="@SUM(A1:A3)")
    client.force_login(analyst)
    response = client.get(reverse("exports:export-report"), {"year": YEAR})
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def test_the_report_prints_to_pdf_in_libreoffice(report, tmp_path):
    soffice(tmp_path, report, "pdf")
    pdf = tmp_path / "report.pdf"
    assert pdf.exists(), "LibreOffice did not convert the report"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_libreoffice_reads_the_dashboards_numbers_and_keeps_formula_text_as_text(report, tmp_path, client):
    soffice(tmp_path, report, ALL_SHEETS_CSV)
    overview, detail = tmp_path / "report-总览.csv", tmp_path / "report-数据明细.csv"
    assert overview.exists() and detail.exists(), "LibreOffice did not read the report"

    lines = list(csv.reader(overview.open(encoding="utf-8")))
    header = lines[4]
    read = {line[2]: dict(zip(header, line, strict=True)) for line in lines[5:]}
    for row in client.get(reverse("dashboards:dashboard"), {"year": YEAR}).context["rows"]:
        line = read[row.indicator.name]
        assert line["状态"] == progress.STATUS_LABELS[row.status]
        if row.assessment.latest and row.assessment.latest[0] == YEAR:
            shown = line[f"{YEAR}年"].removesuffix("%").removesuffix("万人").removesuffix("年").replace(",", "")
            assert float(shown) == pytest.approx(row.assessment.latest[1], abs=10**-row.indicator.decimals)

    notes = [line for line in csv.reader(detail.open(encoding="utf-8")) if line[4] == str(YEAR + 1)]
    assert [(line[8], line[9]) for line in notes] == [("=1+2", "@SUM(A1:A3)")]
