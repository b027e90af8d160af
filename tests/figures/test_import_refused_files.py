"""Files that are refused whole with one clear message: XML entity declarations, over-long CSV fields, workbooks
with only chart sheets."""

import io
import re
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from figures import excel_import
from figures.models import Observation

pytestmark = pytest.mark.django_db

YEAR = 2024


def refused(client, data, name):
    file = io.BytesIO(data)
    file.name = name
    response = client.post(reverse("figures:import"), {"file": file, "action": "save"})
    assert response.status_code == 200
    assert excel_import.SESSION_KEY not in client.session
    assert not Observation.objects.filter(year=YEAR).exists()
    return " ".join(response.context["form"].errors["file"])


def long_workbook():
    workbook = Workbook()
    workbook.active.append(["indicator", "district", "year", "value"])
    workbook.active.append(["putonghua_rate", "350000", YEAR, 91])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_part_changed(data, name, change):
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            content = source.read(part)
            target.writestr(part, change(content) if part.filename == name else content)
    return out.getvalue()


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "docProps/core.xml", "xl/workbook.xml"])
def test_an_xml_entity_declaration_in_any_part_is_refused(client, analyst, part):
    client.force_login(analyst)
    bomb = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'

    def add_doctype(content):
        if content.startswith(b"<?xml"):
            declaration, rest = content.split(b"?>", 1)
            return declaration + b"?>" + bomb + rest
        return bomb + content

    message = refused(client, with_part_changed(long_workbook(), part, add_doctype), "年报.xlsx")
    assert "XML 实体声明" in message


def test_a_csv_field_over_128_kb_is_a_message_not_a_500(client, analyst):
    client.force_login(analyst)
    data = b'indicator,district,year,value,note\nputonghua_rate,350000,2024,91,"' + b"x" * (140 * 1024) + b'"\n'
    assert "超过 128 KB" in refused(client, data, "年报.csv")


def test_a_workbook_with_only_a_chart_sheet_is_refused(client, analyst):
    client.force_login(analyst)
    workbook = Workbook()
    data_sheet = workbook.active
    data_sheet.append([1])
    chart = BarChart()
    chart.add_data(Reference(data_sheet, min_col=1, min_row=1, max_row=1))
    workbook.create_chartsheet("图表").add_chart(chart)
    buffer = io.BytesIO()
    workbook.save(buffer)

    def without_worksheet(data):
        # openpyxl will not save a workbook without a worksheet: drop it from the workbook's sheet list.
        return with_part_changed(
            data, "xl/workbook.xml", lambda xml: re.sub(rb'<sheet [^>]*name="Sheet"[^>]*/>', b"", xml)
        )

    data = without_worksheet(buffer.getvalue())
    assert b'name="Sheet"' not in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    assert "没有工作表" in refused(client, data, "图表.xlsx")
