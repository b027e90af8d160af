"""Officials and analysts fill the Excel template (or a long table), preview what it would change, then confirm."""

import datetime
import io
import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from figures import excel_template, review
from figures.models import Observation, ObservationStatus, PendingUpload
from plans.models import Plan
from tests import story
from tests.conftest import HEADER_COUNT_QUERIES

pytestmark = pytest.mark.django_db

YEAR = 2024


def download_template(client, **params):
    response = client.get(reverse("figures:import-template"), {"year": YEAR, **params})
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
    return client.post(reverse("figures:import"), {"file": file, "action": action})


def preview_lines(client):
    response = client.get(reverse("figures:import-preview"))
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
    value_rule = next(v for v in sheet.data_validations.dataValidation if f"G{row}" in v.sqref)
    assert (value_rule.type, value_rule.formula1) == ("decimal", "0")
    meta = workbook[excel_template.META_SHEET]
    assert meta.sheet_state == "hidden"
    assert [[c.value for c in line] for line in meta.iter_rows()][1:] == [
        ["plan", "fujian-14th-education", None],
        ["year", YEAR, None],
        ["sheet", "福州", "350100"],
    ]
    sheet[f"G{row}"] = 12.3
    # Typed into the template's text-formatted note cell, this stays text: Excel stores it as a string.
    sheet[f"I{row}"] = "=SUM(A1:A2) 只是文字"
    sheet[f"I{row}"].data_type = "s"

    response = upload(client, as_upload(workbook))
    assert response.status_code == 302
    preview = preview_lines(client)
    assert [(line.indicator, line.district, line.change, line.new) for line in preview.lines] == [
        ("普通高中在校生", "福州市", "new", Decimal("12.3"))
    ]
    assert not Observation.objects.filter(year=YEAR).exists()  # nothing saved before confirming

    response = client.post(reverse("figures:import-confirm"))
    assert response.status_code == 302
    saved = Observation.objects.get(year=YEAR, district__code="350100")
    assert (saved.value, saved.status, saved.source, saved.note) == (
        Decimal("12.3"),
        ObservationStatus.DRAFT,
        "",
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
        client.post(reverse("figures:import-confirm"))
    assert preview.counts == {"new": 0, "changed": 0, "unchanged": 1, "error": 0}, preview.lines
    assert Observation.objects.get(year=YEAR).status == ObservationStatus.SUBMITTED


def test_a_changed_figure_shows_old_and_new(client, official_fuzhou):
    client.force_login(official_fuzhou)
    workbook = download_template(client)
    sheet = workbook["福州"]
    cell = f"G{row_of(sheet, 'general_high_school_enrolment')}"
    sheet[cell] = 12.3
    upload(client, as_upload(workbook))
    client.post(reverse("figures:import-confirm"))
    sheet[cell] = 12.5
    upload(client, as_upload(workbook))
    response = client.get(reverse("figures:import-preview"))
    assert "12.3 → 12.5" in response.content.decode()
    assert response.context["preview"].counts["changed"] == 1


def long_csv(*lines):
    text = "indicator,district,year,value,note,source\n" + "".join(line + "\n" for line in lines)
    file = io.BytesIO(text.encode())
    file.name = "年报.csv"
    return file


def test_an_analyst_uploads_a_long_table_for_any_district(client, analyst):
    client.force_login(analyst)
    response = upload(
        client,
        long_csv("general_high_school_enrolment,厦门,2024,6.5,,", "putonghua_rate,350000,2024,91,,统计公报"),
    )
    assert response.status_code == 302
    assert preview_lines(client).counts == {"new": 2, "changed": 0, "unchanged": 0, "error": 0}
    client.post(reverse("figures:import-confirm"))
    sources = dict(Observation.objects.filter(year=YEAR).values_list("district__code", "source"))
    assert sources == {"350200": "", "350000": "统计公报"}
    assert set(Observation.objects.filter(year=YEAR).values_list("status", flat=True)) == {"draft"}


def test_confirming_checks_the_stored_file_again(client, analyst, reviewer):
    client.force_login(analyst)
    upload(client, long_csv("putonghua_rate,350000,2024,91,,"))
    assert preview_lines(client).ok
    review.lock_year(plan=Plan.objects.current(), year=YEAR, by=reviewer, locked=True)
    response = client.post(reverse("figures:import-confirm"), follow=True)
    assert "未导入任何数据" in response.content.decode() and "2024年度已锁定" in response.content.decode()
    assert not Observation.objects.filter(year=YEAR).exists()


def test_the_stored_file_belongs_to_the_session_that_uploaded_it(client, analyst, make_user):
    client.force_login(analyst)
    upload(client, long_csv("putonghua_rate,350000,2024,91,,"))
    other = Client()
    other.force_login(make_user("analyst_2", "分析员"))
    response = other.post(reverse("figures:import-confirm"), follow=True)
    assert "没有待确认的文件" in response.content.decode()
    assert not Observation.objects.filter(year=YEAR).exists()


def test_after_confirming_the_file_is_gone(client, analyst):
    client.force_login(analyst)
    upload(client, long_csv("putonghua_rate,350000,2024,91,,"))
    assert PendingUpload.objects.filter(user=analyst).count() == 1
    client.post(reverse("figures:import-confirm"))
    assert not PendingUpload.objects.exists()
    assert client.get(reverse("figures:import-preview")).status_code == 302


@pytest.mark.parametrize("username,role", [("leader", "领导"), ("reviewer", "审核员")])
def test_only_officials_and_analysts_upload(client, make_user, username, role):
    client.force_login(make_user(username, role))
    assert client.get(reverse("figures:import")).status_code == 403
    assert client.get(reverse("figures:import-template"), {"year": YEAR}).status_code == 403


def test_an_official_cannot_ask_for_another_districts_template(client, official_fuzhou):
    client.force_login(official_fuzhou)
    response = client.get(reverse("figures:import-template"), {"year": YEAR, "district": "350200"})
    assert response.status_code == 404


@pytest.mark.parametrize("with_demo", [False, True])
def test_the_import_pages_queries_do_not_grow_with_the_data(
    client, official_fuzhou, with_demo, django_assert_max_num_queries
):
    if with_demo:
        call_command("load_demo", verbosity=0)
    client.force_login(official_fuzhou)
    # session, user, perms, demo banner, plan, districts and membership, years
    with django_assert_max_num_queries(15 + HEADER_COUNT_QUERIES):  # and 待办's count in the header
        assert client.get(reverse("figures:import")).status_code == 200
    workbook = download_template(client)
    sheet = workbook["福州"]
    sheet[f"G{row_of(sheet, 'general_high_school_enrolment')}"] = 15
    upload(client, as_upload(workbook))
    # session, user, perms, plan, the pending upload, districts the user may fill, the template's districts, the
    # names (indicators, districts), stored sources, then check_rows for the one row (indicators, districts,
    # membership, lock, stored figure, last year's), the demo banner, the session
    with django_assert_max_num_queries(25 + HEADER_COUNT_QUERIES):
        assert client.get(reverse("figures:import-preview")).status_code == 200


def test_round_trip_from_template_to_report(client, analyst, reviewer):
    """Template → fill → upload → preview → confirm → the report shows the figure; the same file again changes
    nothing; once approved, the figure is in the district sheet too."""
    client.force_login(analyst)
    workbook = download_template(client, district="350200")
    sheet = workbook["厦门"]
    row = row_of(sheet, "general_high_school_enrolment")
    sheet[f"G{row}"], sheet[f"J{row}"], sheet[f"K{row}"] = 6.8, "新校未投用", "加快建设"
    upload(client, as_upload(workbook), action="submit")
    assert preview_lines(client).counts["new"] == 1
    client.post(reverse("figures:import-confirm"))

    figure = Observation.objects.get(year=YEAR, district__code="350200")
    detail = report_sheets(client)["数据明细"]
    assert ("厦门市", YEAR, 6.8, "已提交") in [(r[3], r[4], r[5], r[7]) for r in detail.iter_rows(values_only=True)]
    upload(client, as_upload(workbook), action="submit")
    assert preview_lines(client).counts == {"new": 0, "changed": 0, "unchanged": 1, "error": 0}

    review.approve(observation=figure, by=reviewer)
    districts = report_sheets(client)["分地区"]
    xiamen = next(r for r in districts.iter_rows(min_row=3, values_only=True) if r[0] == "厦门市")
    assert xiamen[1] == 6.8


def report_sheets(client):
    response = client.get(reverse("exports:export-report"), {"year": YEAR})
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def offered_years(html):
    select = re.search(r'<select name="year">(.*?)</select>', html, re.S).group(1)
    return [int(y) for y in re.findall(r'<option value="(\d+)"', select)], re.search(
        r'<option value="(\d+)" selected>', select
    ).group(1)


def test_the_import_page_offers_templates_only_for_years_still_open(client, analyst, reviewer, plan, monkeypatch):
    # The 2024 figures are being collected (late 2025) while 2022 and 2024 are locked: the page offers 2021, 2023
    # and 2025, starting from 2023, the latest open year already ended, as the template download itself does.
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2025, 11, 20))
    for year in (2022, 2024):
        review.lock_year(plan=plan, year=year, by=reviewer, locked=True)
    client.force_login(analyst)

    years, selected = offered_years(client.get(reverse("figures:import")).content.decode())

    assert (years, selected) == ([2021, 2023, 2025], "2023")
    assert client.get(reverse("figures:import-template"), {"year": 2024}).status_code == 404
    default = client.get(reverse("figures:import-template"))
    assert "2023年填报模板" in unquote(default.headers["Content-Disposition"])


def test_with_every_year_locked_the_import_page_says_so_instead_of_offering_a_template(client, analyst, reviewer, plan):
    for year in range(plan.base_year, plan.target_year):
        review.lock_year(plan=plan, year=year, by=reviewer, locked=True)
    story.close_plan(plan, by=reviewer)  # the final year too
    client.force_login(analyst)

    html = client.get(reverse("figures:import")).content.decode()

    assert '<select name="year">' not in html and "没有可填报的年度" in html
