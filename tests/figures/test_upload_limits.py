"""Both uploads, the figures' and the plan workbook, pass the same safety checks (plans.xlsx_uploads), and the size
of a sheet is checked before its rows are read: no file the 5 MB limit lets in grows the server past 200 MB."""

import io
import re
import tracemalloc
import zipfile

import msoffcrypto
import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from figures import excel_import
from plans import workbook, workbook_reading, xlsx_uploads
from tests.figures.test_plan_workbook_pages import small_plan

pytestmark = pytest.mark.django_db

MEMORY_CEILING = 200 * 1024 * 1024


def saved(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plan_workbook():
    return workbook.write_workbook(small_plan())


def long_table():
    book = Workbook()
    book.active.append(["indicator", "district", "year", "value"])
    book.active.append(["putonghua_rate", "350100", 2024, 91])
    return saved(book)


def far_corner(data):
    """The issue's file: one cell at column XFD and another a million rows below, a few KB."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    sheet["XFD1"] = "x"
    sheet["A1000000"] = "y"
    return saved(book)


def with_part_changed(data, name, change):
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            content = source.read(part)
            target.writestr(part, change(content) if part.filename == name else content)
    return out.getvalue()


def declaring(dimension):
    """A change to a sheet's XML that makes its <dimension> declare `dimension`, whatever the cells are."""
    return lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>'.encode(), xml)


def peak_memory(read, data):
    """What reading `data` costs at most, and the message it is refused with (or None)."""
    tracemalloc.start()
    try:
        read(data)
        message = None
    except (workbook_reading.BadWorkbook, xlsx_uploads.BadFile) as bad:
        message = " ".join(getattr(bad, "errors", None) or [str(bad)])
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, message


def read_figures(data):
    book = xlsx_uploads.open_xlsx(data)
    return [xlsx_uploads.sheet_values(sheet) for sheet in book.worksheets]


def test_a_small_file_reaching_column_xfd_and_row_a_million_is_refused_before_its_rows_are_read(plan):
    for read, data in [(workbook_reading.read_workbook, plan_workbook()), (read_figures, long_table())]:
        bomb = far_corner(data)
        assert len(bomb) < 40 * 1024
        peak, message = peak_memory(read, bomb)
        assert message == "文件超过 5000 行，请拆分后再上传。"
        assert peak < 20 * 1024 * 1024, peak
        # As wide but not as long: the columns are named.
        wide = with_part_changed(bomb, "xl/worksheets/sheet1.xml", declaring("A1:XFD3"))
        peak, message = peak_memory(read, wide)
        assert "超过 100 列（用到 XFD 列）" in message and peak < 20 * 1024 * 1024


def test_a_sheet_whose_dimension_lies_is_still_read_within_bounds(plan):
    for read, data in [(workbook_reading.read_workbook, plan_workbook()), (read_figures, long_table())]:
        liar = with_part_changed(far_corner(data), "xl/worksheets/sheet1.xml", declaring("A1:D2"))
        peak, message = peak_memory(read, liar)
        assert message and peak < 50 * 1024 * 1024, (peak, message)


def cells(count, *, per_row, dimension=None):
    """A sheet of `count` numbers, `per_row` to a row, written straight as XML (quick to build): far below 5 MB.
    Its <dimension> declares the truth unless `dimension` says otherwise."""
    rows, number = [], 0
    for start in range(0, count, per_row):
        number += 1
        rows.append(f'<row r="{number}">'.encode() + b"<c><v>1</v></c>" * min(per_row, count - start) + b"</row>")
    sheet_data = re.compile(rb"<sheetData>.*</sheetData>|<sheetData\s*/>", re.S)
    declared = dimension or f"A1:{get_column_letter(min(per_row, 16384))}{number}"
    return with_part_changed(
        saved(Workbook()),
        "xl/worksheets/sheet1.xml",
        lambda xml: sheet_data.sub(
            lambda _m: b"<sheetData>" + b"".join(rows) + b"</sheetData>", declaring(declared)(xml)
        ),
    )


def test_more_cells_than_the_limit_are_refused_before_they_are_read(plan):
    data = cells(xlsx_uploads.MAX_CELLS + 1, per_row=20)
    assert len(data) < xlsx_uploads.MAX_BYTES
    peak, message = peak_memory(read_figures, data)
    assert message == f"文件的单元格超过 {xlsx_uploads.MAX_CELLS} 个，请拆分后再上传。"
    assert peak < 20 * 1024 * 1024
    # One cell fewer is read.
    peak, message = peak_memory(read_figures, cells(xlsx_uploads.MAX_CELLS, per_row=20))
    assert message is None


def test_the_worst_file_the_limits_let_in_is_refused_in_under_200_mb():
    """As many cells as the limit allows, all on one row (the dimension lying that it is one cell): openpyxl
    holds a row's cells together. (The same number in rows of 20 costs a few MB: bench/README.md.)"""
    data = cells(xlsx_uploads.MAX_CELLS, per_row=xlsx_uploads.MAX_CELLS, dimension="A1:A1")
    assert len(data) < xlsx_uploads.MAX_BYTES
    peak, message = peak_memory(read_figures, data)
    assert "超过 100 列" in message and peak < MEMORY_CEILING, peak


@pytest.fixture
def admin(client, make_user):
    client.force_login(make_user("root", superuser=True))
    return client


def refused_plan_workbook(client, data):
    response = client.post(reverse("plans:workbook"), {"file": io.BytesIO(data)})
    assert response.status_code == 200
    assert "plan_workbook" not in client.session
    return " ".join(response.context["form"].errors["file"])


def named(data, name):
    file = io.BytesIO(data)
    file.name = name
    return file


def test_the_plan_workbook_refuses_what_the_figure_upload_refuses(admin, plan):
    data = plan_workbook()
    doctype = with_part_changed(data, "xl/workbook.xml", lambda xml: b'<!DOCTYPE x [<!ENTITY a "a">]>' + xml)
    assert "XML 实体声明" in refused_plan_workbook(admin, doctype)
    bare_doctype = with_part_changed(
        data, "xl/workbook.xml", lambda xml: xml.replace(b"<workbook", b"<!DOCTYPE x><workbook", 1)
    )
    assert "XML 实体声明" in refused_plan_workbook(admin, bare_doctype)
    encrypted = io.BytesIO()
    msoffcrypto.OfficeFile(io.BytesIO(data)).encrypt("secret", encrypted)
    assert "文件设置了打开密码" in refused_plan_workbook(admin, encrypted.getvalue())
    macro_type = with_part_changed(
        data, "[Content_Types].xml", lambda xml: xml.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml", 1)
    )
    assert "文件含有宏" in refused_plan_workbook(admin, macro_type)
    assert "文件超过 5000 行" in refused_plan_workbook(admin, far_corner(data))


def test_the_figure_upload_refuses_the_far_corner_file_with_a_message(client, analyst, plan):
    client.force_login(analyst)
    response = client.post(
        reverse("figures:import"), {"file": named(far_corner(long_table()), "年报.xlsx"), "action": "save"}
    )
    assert response.status_code == 200 and excel_import.SESSION_KEY not in client.session
    assert "文件超过 5000 行" in " ".join(response.context["form"].errors["file"])
