"""A user who chose English gets English beyond the pages: counts in correct plurals, the admin, the Excel report.

(tests/test_languages.py walks every page; these are the messages and downloads the walk cannot see.)"""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from planboard import roles
from plans.models import District, Indicator
from tests import story
from tests.test_languages import HAN, choose_language

pytestmark = pytest.mark.django_db

ENROLMENT = "general_high_school_enrolment"


def submitted(official, slug, year, value):
    district = District.objects.get(slug=slug)
    return story.submit(official, district, ENROLMENT, year, value, note="note", reason="reason", measures="measures")


def approve(client, figures):
    data = {"step": "approve", "selected": [f.pk for f in figures], "comment": ""}
    data |= {f"version-{f.pk}": f.version for f in figures}
    response = client.post(reverse("figures:review"), data, follow=True)
    return " ".join(m.message for m in response.context["messages"])


def test_counts_read_in_english_singular_and_plural(client, reviewer, official_fuzhou, official_xiamen):
    one = submitted(official_fuzhou, "fuzhou", 2022, "11.2")
    two = [submitted(official_fuzhou, "fuzhou", 2023, "11.3"), submitted(official_xiamen, "xiamen", 2022, "9.1")]
    client.force_login(reviewer)
    choose_language(client, "en")
    assert approve(client, [one]) == "Processed 1 figure."
    assert approve(client, two) == "Processed 2 figures."


def test_the_admin_speaks_english_header_and_sections(client, make_user):
    client.force_login(make_user("root", superuser=True))
    choose_language(client, "en", next_url="/admin/")
    page = client.get("/admin/").content.decode()
    assert "planboard administration" in page and "Tasks and key projects" in page
    assert not HAN.search(re.sub(r"<[^>]+>", " ", page.split("<body", 1)[1]))
    chinese = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/admin/"})
    assert chinese.status_code == 302
    assert "教育规划监测平台 · 管理后台" in client.get("/admin/").content.decode()


def test_the_english_excel_report_names_indicators_districts_and_units_in_english(client, analyst):
    call_command("load_demo", verbosity=0)
    client.force_login(analyst)
    choose_language(client, "en")
    response = client.get(reverse("exports:export-report"), {"year": 2024})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Overview", "By district", "Task list", "Data", "Trend charts"]
    enrolment = Indicator.objects.get(code="higher_ed_total_enrolment")
    overview = [[c.value for c in row] for row in workbook["Overview"].iter_rows()]
    assert overview[1][3] == "Fujian Province"
    line = next(row for row in overview if row[2] == enrolment.name_en)
    assert line[3] == enrolment.unit_en == "10 000 persons"
    districts = [row[0].value for row in workbook["By district"].iter_rows(min_row=3)]
    assert "Fuzhou" in districts and "福州市" not in districts
    figures = [[c.value for c in row] for row in workbook["Data"].iter_rows(min_row=2)]
    assert any(row[1] == enrolment.name_en and row[3] == "Fujian Province" for row in figures)
    assert not any(HAN.search(c.value) for c in workbook["By district"][2] if c.value), "the column headers"


def test_an_english_user_downloads_the_evaluation_report_in_english(client, make_user):
    from docx import Document

    from tests.test_languages import stored_texts, without_data

    call_command("load_demo", verbosity=0)
    client.force_login(make_user("leader", roles.LEADER))
    chinese = client.get(reverse("exports:export-evaluation"), {"year": 2023})
    assert "一、主要指标完成情况" in [p.text for p in Document(io.BytesIO(chinese.getvalue())).paragraphs]
    choose_language(client, "en")
    response = client.get(reverse("exports:export-evaluation"), {"year": 2023})
    assert "Mid-term evaluation report" in response["Content-Disposition"] or "Mid-term" in str(
        response.get("Content-Disposition", "")
    )
    document = Document(io.BytesIO(response.getvalue()))
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "1. Main indicators" in texts and "Broadly on track" in texts
    left = without_data(texts, stored_texts())
    assert not {run for text in left for run in HAN.findall(text)}, [t for t in left if HAN.search(t)][:10]
