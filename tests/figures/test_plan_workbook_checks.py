"""The plan workbook's checks across rows and sheets, each with inputs either side of its line: the macro and row
limits, the plan's years, the years of targets and baselines, a range's upper bound, a text target restating
another, and codes given twice."""

import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from plans import workbook, workbook_reading, xlsx_uploads
from tests.figures.test_plan_workbook_pages import small_plan

pytestmark = pytest.mark.django_db


def read(rows):
    return workbook_reading.read_workbook(workbook.write_workbook(rows))


def errors_of(rows_or_data):
    data = rows_or_data if isinstance(rows_or_data, bytes) else workbook.write_workbook(rows_or_data)
    with pytest.raises(workbook_reading.BadWorkbook) as refused:
        workbook_reading.read_workbook(data)
    return refused.value.errors


def text_target(code, year=2030, same_as=None):
    fields = {
        "section": "专栏1",
        "source_detail": "",
        "project": "",
        "text": f"目标 {code}",
        "value": "",
        "unit": "",
        "year": year,
        "kind": "count",
        "operator": "",
        "direction": "",
        "untracked_reason": "",
        "confidence": "high",
    }
    return {"code": code, "task_number": None, "same_as": same_as, "fields": fields}


def test_a_workbook_with_macros_is_refused_and_one_without_is_read(plan):
    data = workbook.write_workbook(small_plan())
    assert workbook_reading.read_workbook(data)["plan"]["code"] == "next-plan"
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00macro")
    assert errors_of(buffer.getvalue()) == ["文件含有宏，请另存为不含宏的 .xlsx 后上传。"]


@pytest.mark.parametrize("extra, refused", [(0, False), (1, True)])
def test_the_row_limit_counts_every_sheet(plan, extra, refused):
    book = load_workbook(io.BytesIO(workbook.write_workbook(small_plan())))
    lines = sum(sheet.max_row for sheet in book.worksheets)
    notes = book.create_sheet("备注")
    for _ in range(xlsx_uploads.MAX_ROWS + 1 - lines + extra):
        notes.append(["说明"])
    out = io.BytesIO()
    book.save(out)
    if refused:
        assert errors_of(out.getvalue()) == ["文件超过 5000 行，请拆分后再上传。"]
    else:
        assert workbook_reading.read_workbook(out.getvalue())["plan"]["code"] == "next-plan"


@pytest.mark.parametrize("target_year, refused", [(2025, "目标年份须晚于基期年份。"), (2026, None), (2024, "须晚于")])
def test_the_target_year_comes_after_the_base_year(plan, target_year, refused):
    rows = small_plan()
    rows["plan"]["fields"]["target_year"] = target_year
    rows["targets"] = []
    if refused:
        error = errors_of(rows)[0]  # (a plan ending before its base year puts the baselines out of it too)
        assert error.startswith("工作表“规划”第2行E列（目标年份）") and refused in error
    else:
        assert read(rows)["plan"]["fields"]["target_year"] == 2026


@pytest.mark.parametrize("year, refused", [(2024, True), (2025, False), (2030, False), (2031, True)])
def test_a_target_lies_between_the_base_and_target_years(plan, year, refused):
    rows = small_plan()
    rows["targets"][0]["year"] = year
    if refused:
        (error,) = errors_of(rows)
        assert error == "工作表“分地区目标”第5行D列（年份）：年份须在基期年份与目标年份之间。"
    else:
        assert {r["year"] for r in read(rows)["targets"]} == {year, 2030}


@pytest.mark.parametrize("year, refused", [(2025, False), (2026, True)])
def test_a_baseline_is_of_the_base_year(plan, year, refused):
    rows = small_plan()
    rows["baselines"][0]["year"] = year
    if refused:
        assert errors_of(rows) == ["工作表“分地区目标”第2行D列（年份）：基期值的年份须为基期年份。"]
    else:
        assert read(rows)["baselines"][0]["year"] == 2025


@pytest.mark.parametrize("upper, refused", [(Decimal(89), True), (Decimal(90), False), (Decimal(95), False)])
def test_a_ranges_upper_bound_is_not_below_its_value(plan, upper, refused):
    rows = small_plan()
    rows["targets"][0]["fields"]["upper"] = upper
    if refused:
        assert errors_of(rows) == ["工作表“分地区目标”第5行H列（上限）：上限不能小于数值。"]
    else:
        assert read(rows)["targets"][0]["fields"]["upper"] == upper


@pytest.mark.parametrize("low, refused", [(Decimal(151), True), (Decimal(150), False)])
def test_an_indicators_lower_bound_is_not_above_its_upper_bound(plan, low, refused):
    rows = small_plan()
    rows["indicators"][0]["fields"]["min_value"] = low
    if refused:
        assert errors_of(rows) == ["工作表“指标”第2行J列（合理上限）：合理上限不能小于合理下限。"]
    else:
        assert read(rows)["indicators"][0]["fields"]["min_value"] == low


def test_a_text_target_restates_one_that_restates_none(plan):
    rows = small_plan()
    rows["text_targets"] = [text_target("a"), text_target("b", 2028, same_as="a")]
    assert [r["same_as"] for r in read(rows)["text_targets"]] == [None, "a"]
    rows["text_targets"].append(text_target("c", 2027, same_as="b"))
    assert errors_of(rows) == ["工作表“文字目标”第4行N列（同一目标）：所指的文字目标本身不能再指向其他目标。"]
    rows["text_targets"][2] = text_target("c", 2027, same_as="c")
    assert errors_of(rows) == ["工作表“文字目标”第4行N列（同一目标）：文字目标中没有代码 c。"]
    rows["text_targets"][2] = text_target("c", 2027, same_as="z")
    assert errors_of(rows) == ["工作表“文字目标”第4行N列（同一目标）：文字目标中没有代码 z。"]


def test_a_code_given_twice_is_refused_naming_where_it_was_first(plan):
    rows = small_plan()
    rows["indicators"][2]["code"] = rows["indicators"][0]["code"]
    rows["targets"] = rows["targets"][:2]
    rows["baselines"] = rows["baselines"][:2]
    assert errors_of(rows) == ["工作表“指标”第4行A列（代码）：代码与工作表“指标”第2行重复。"]
    # A key project's code may not repeat a main indicator's either (both sheets are the plan's indicators).
    rows = small_plan()
    project = dict(rows["indicators"][0], fields=dict(rows["indicators"][0]["fields"], is_main=False))
    rows["indicators"].append(project)
    assert errors_of(rows) == ["工作表“重点项目”第2行A列（代码）：代码与工作表“指标”第2行重复。"]
    rows = small_plan()
    rows["targets"].append(rows["targets"][0])
    assert errors_of(rows) == ["工作表“分地区目标”第8行A列（指标代码）：与第5行重复。"]
    rows = small_plan()
    rows["text_targets"] = [text_target("a"), text_target("a", 2028)]
    assert errors_of(rows) == ["工作表“文字目标”第3行A列（代码）：代码与工作表“文字目标”第2行重复。"]


def test_a_continuation_names_an_indicator_of_the_plan_it_names(plan):
    rows = small_plan()
    rows["indicators"][0]["continues"] = "fujian-14th-education/higher_ed_gross_enrolment"
    assert read(rows)["indicators"][0]["continues"] == "fujian-14th-education/higher_ed_gross_enrolment"
    # The same indicator code under a plan that does not exist names nothing.
    rows["indicators"][0]["continues"] = "fujian-15th-education/higher_ed_gross_enrolment"
    assert errors_of(rows) == [
        "工作表“指标”第2行Z列（延续指标）：没有指标“fujian-15th-education/higher_ed_gross_enrolment”"
        "（应写作“规划代码/指标代码”）。"
    ]


def without_column(data, sheet, header):
    book = load_workbook(io.BytesIO(data))
    titles = [cell.value for cell in book[sheet][1]]
    book[sheet].delete_cols(titles.index(header) + 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_missing_column_is_named_unless_the_workbook_may_predate_it(plan):
    data = workbook.write_workbook(small_plan())
    assert errors_of(without_column(data, "指标", "名称")) == ["工作表“指标”：缺少列“名称”。"]
    # 延续指标 came later, and 待核实 is written for the reader only: workbooks without them are read.
    read_back = workbook_reading.read_workbook(without_column(data, "指标", "延续指标"))
    assert "continues" not in read_back["indicators"][0]
    assert workbook_reading.read_workbook(without_column(data, "指标", "待核实"))["plan"]["code"] == "next-plan"
    # A workbook without 审核层级 is reviewed at one level.
    assert (
        workbook_reading.read_workbook(without_column(data, "规划", "审核层级"))["plan"]["fields"]["review_levels"] == 1
    )
