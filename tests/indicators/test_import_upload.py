"""Officials and analysts fill the Excel template (or a long table), preview what it would change, then confirm."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Observation, ObservationStatus

pytestmark = pytest.mark.django_db

YEAR = 2024


def download_template(client, **params):
    response = client.get(reverse("indicators:import-template"), {"year": YEAR, **params})
    assert response.status_code == 200, response.content[:500]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def row_of(sheet, code):
    for row in sheet.iter_rows(min_row=3):
        if row[0].value == code:
            return row[0].row
    raise AssertionError(f"{code} not in {sheet.title}")


def as_upload(workbook, name="填报.xlsx"):
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def upload(client, file, action="save"):
    return client.post(reverse("indicators:import"), {"file": file, "action": action})


def preview_lines(client):
    response = client.get(reverse("indicators:import-preview"))
    assert response.status_code == 200
    return response.context["preview"]


def test_an_official_fills_the_template_previews_and_confirms(client, official_fuzhou):
    client.force_login(official_fuzhou)
    workbook = download_template(client)
    assert [s for s in workbook.sheetnames if workbook[s].sheet_state == "visible"] == ["福州"]
    sheet = workbook["福州"]
    row = row_of(sheet, "general_high_school_enrolment")
    assert sheet[f"B{row}"].value == "普通高中在校生" and sheet[f"C{row}"].value == "万人"
    assert sheet.protection.sheet and sheet[f"B{row}"].protection.locked
    assert not sheet[f"G{row}"].protection.locked
    sheet[f"G{row}"] = 12.3
    # Typed into the template's text-formatted note cell, this stays text: Excel stores it as a string.
    sheet[f"I{row}"] = "=SUM(A1:A2) 只是文字"
    sheet[f"I{row}"].data_type = "s"

    response = upload(client, as_upload(workbook))
    assert response.status_code == 302
    preview = preview_lines(client)
    assert [(line.indicator, line.change, line.new) for line in preview.lines] == [
        ("general_high_school_enrolment", "new", Decimal("12.3"))
    ]
    assert not Observation.objects.filter(year=YEAR).exists()  # nothing saved before confirming

    response = client.post(reverse("indicators:import-confirm"))
    assert response.status_code == 302
    saved = Observation.objects.get(year=YEAR, district__code="350100")
    assert (saved.value, saved.status, saved.source, saved.note) == (
        Decimal("12.3"),
        ObservationStatus.DRAFT,
        "填报.xlsx",
        "=SUM(A1:A2) 只是文字",
    )
    assert saved.history.get().history_user == official_fuzhou


def test_uploading_the_same_file_again_reports_no_changes(client, official_fuzhou):
    client.force_login(official_fuzhou)
    workbook = download_template(client)
    sheet = workbook["福州"]
    row = row_of(sheet, "general_high_school_enrolment")
    # Submitted figures that leave the indicator lagging need a reason and measures, as in the forms.
    sheet[f"G{row}"], sheet[f"J{row}"], sheet[f"K{row}"] = 12.3, "生源减少", "扩大招生"
    for _round in range(2):
        upload(client, as_upload(workbook), action="submit")
        preview = preview_lines(client)
        client.post(reverse("indicators:import-confirm"))
    assert preview.counts == {"new": 0, "changed": 0, "unchanged": 1, "error": 0}, preview.lines
    assert Observation.objects.get(year=YEAR).status == ObservationStatus.SUBMITTED


def test_a_changed_figure_shows_old_and_new(client, official_fuzhou):
    client.force_login(official_fuzhou)
    workbook = download_template(client)
    sheet = workbook["福州"]
    cell = f"G{row_of(sheet, 'general_high_school_enrolment')}"
    sheet[cell] = 12.3
    upload(client, as_upload(workbook))
    client.post(reverse("indicators:import-confirm"))
    sheet[cell] = 12.5
    upload(client, as_upload(workbook))
    response = client.get(reverse("indicators:import-preview"))
    assert "12.3 → 12.5" in response.content.decode()
    assert response.context["preview"].counts["changed"] == 1
