"""Excel (and CSV) files in and out of planboard: the report, the fill-in template and uploaded figures.

The report is written in openpyxl's write-only mode, so exporting every figure keeps memory flat. Uploads are
checked as files first (type, size, zip bomb, macros, encryption, formulas, merged cells, columns), then every
row goes through `services.check_rows` / `services.import_rows`, the path the forms and the API use.
"""

import csv
import io
import re
import secrets
import tempfile
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePath

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from indicators import progress, services
from indicators.charts import STATUS_ORDER
from indicators.models import District, Indicator, Observation, ObservationStatus, Target
from tasks.models import Task, TaskItem, TaskReport, TaskStatus

LONG_COLUMNS = ["indicator", "district", "year", "value", "note", "source", "confirm", "reason", "measures"]
REQUIRED_COLUMNS = ["indicator", "district", "year", "value"]

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# A 5 MB upload that unpacks to more than this is a zip bomb, not a table of figures.
MAX_UNPACKED = 50 * 1024 * 1024
MAX_PARTS = 500


class BadFile(Exception):
    """The file as a whole cannot be read; the message says why, for the person who uploaded it."""


# ---------------------------------------------------------------------------------------------------------------
# Cells and styles shared by the report and the template

# Text starting with these may be taken for a formula (or a DDE payload) by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")


def text_cell(sheet, value, **style):
    """A cell holding `value` as text, never as a formula, an error code or an illegal XML character."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        # Shown and kept as text even when someone edits the cell in Excel.
        cell.quotePrefix = True
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def cell(sheet, value, **style):
    if isinstance(value, Promise):
        value = str(value)  # lazy translations, such as an assessment's explanation
    if isinstance(value, str):
        return text_cell(sheet, value, **style)
    written = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(written, name, setting)
    return written


def safe_row(sheet, values):
    """A row of plain values, with strings made safe; cheap enough for a hundred thousand rows."""
    return [text_cell(sheet, v) if isinstance(v, str) and (v[:1] in FORMULA_STARTS or _odd(v)) else v for v in values]


def _odd(text):
    # Strings openpyxl would not keep as plain text: error codes like #N/A, or characters XML forbids.
    return text[:1] == "#" or ILLEGAL_CHARACTERS_RE.search(text) is not None


def header_cells(sheet, names):
    return [text_cell(sheet, str(name), font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP) for name in names]


def status_style(status):
    """Fill and font of a status cell: the dashboard's colour, with text dark or light enough to read."""
    colour = progress.STATUS_COLOURS[status].lstrip("#").upper()
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))
    luma = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return {"fill": PatternFill("solid", fgColor=colour), "font": Font(color="FFFFFF" if luma < 0.5 else "000000")}


def number_format(indicator):
    """Excel's format for the indicator's unit: percentages are stored as points (98.5), so '%' is literal."""
    digits = "0" if indicator.whole_number or indicator.decimals == 0 else "0." + "0" * indicator.decimals
    if indicator.unit == "%":
        return f'{digits}"%"'
    if indicator.unit in ("万人", "年"):
        return f'#,##{digits}"{indicator.unit}"'
    return f"#,##{digits}"


def width(value):
    """Columns are measured in Latin characters; CJK characters take two."""
    text = str(value if value is not None else "")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def set_widths(sheet, rows, *, least=6, most=60):
    """Column widths that fit the longest value of each column (write-only sheets need them before rows)."""
    widths = {}
    for row in rows:
        for index, value in enumerate(row, start=1):
            widths[index] = max(widths.get(index, least), min(most, width(value) + 2))
    for index, size in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = size


def print_setup(sheet, title_rows):
    """Landscape, as wide as the page, the header rows repeated on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows


def _plain(number):
    return format(number.normalize(), "f") if number is not None else ""


def _local(moment):
    """Excel has no time zones: write local wall-clock time."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


# ---------------------------------------------------------------------------------------------------------------
# The report


@dataclass
class ReportData:
    """Everything the report's small sheets need, read in a fixed number of queries."""

    plan: object
    year: int
    district: District  # the overview's
    districts: list
    indicators: list
    across: list  # the indicators of the district sheet: those districts other than the province have targets for
    assessments: dict
    values: dict  # {(indicator_id, district_id): {year: value}}, approved: the overview's district up to `year`,
    # the district sheet's indicators in `year`
    targets: dict  # {(indicator_id, district_id): [Target, ...]} in year order

    @classmethod
    def load(cls, *, plan, year, district, districts):
        """Only what the sheets show is read, so memory grows with the plan, not with the number of figures."""
        indicators = list(Indicator.objects.filter(plan=plan))
        ids = [d.pk for d in districts]
        targets = {}
        for target in Target.objects.filter(indicator__plan=plan, district__in=ids).order_by("year"):
            targets.setdefault((target.indicator_id, target.district_id), []).append(target)
        cities = {d.pk for d in districts if not d.is_province}
        across = [i for i in indicators if any((i.pk, d) in targets for d in cities)]
        values = {}
        figures = Observation.objects.approved().filter(indicator__plan=plan, district__in=ids, year__lte=year)
        for indicator_id, district_id, figure_year, value in figures.filter(
            Q(district=district) | Q(year=year, indicator__in=[i.pk for i in across])
        ).values_list("indicator_id", "district_id", "year", "value"):
            values.setdefault((indicator_id, district_id), {})[figure_year] = value
        assessments = plan.assess(as_of=year, districts=[district])
        assessments.update(plan.assess(as_of=year, indicators=across, districts=ids))
        return cls(plan, year, district, districts, indicators, across, assessments, values, targets)

    def reported(self, district):
        """The district's indicators as the dashboard lists them: all for 全省, otherwise those with targets."""
        return [i for i in self.indicators if district.is_province or (i.pk, district.pk) in self.targets]

    def assessment(self, indicator, district):
        return self.assessments.get((indicator.pk, district.pk))

    def status(self, indicator, district):
        assessment = self.assessment(indicator, district)
        return assessment.status if assessment else progress.NO_TARGET

    def final_target(self, indicator, district):
        targets = self.targets.get((indicator.pk, district.pk))
        return targets[-1] if targets else None


def write_report(out, *, plan, user, year, district=None):
    """Write the report workbook for `user` to the binary file `out`, as of `year`.

    With a `district`, every sheet covers that district only; otherwise the overview is the province's and the
    other sheets cover every district the user may see.
    """
    visible = list(District.objects.visible_to(user))
    if district is not None:
        districts = [district]
    else:
        districts = visible
        district = next((d for d in visible if d.is_province), visible[0] if visible else None)
    if district is None:
        raise BadFile(_("没有可导出的地区。"))
    data = ReportData.load(plan=plan, year=year, district=district, districts=districts)
    workbook = Workbook(write_only=True)
    _overview_sheet(workbook, data)
    _district_sheet(workbook, data)
    _task_sheet(workbook, plan, year)
    _detail_sheet(workbook, plan, user, districts)
    _chart_sheet(workbook, data)
    workbook.save(out)


def _figure(sheet, value, fmt, **style):
    return cell(sheet, float(value) if value is not None else None, number_format=fmt, **style)


def _overview_sheet(workbook, data):
    """Title, counts by status, then one line per indicator of the chosen district."""
    sheet = workbook.create_sheet(_("总览"))
    plan, district, year = data.plan, data.district, data.year
    years = list(range(plan.base_year + 1, year + 1))
    header = [_("序号"), _("出处"), _("指标"), _("单位"), _("%(year)d年基期") % {"year": plan.base_year}]
    header += [_("%(year)d年") % {"year": y} for y in years]
    header += [_("最终目标"), _("应达值"), _("状态"), _("说明")]
    indicators = data.reported(district)
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for indicator in indicators:
        counts[data.status(indicator, district)] += 1
    set_widths(sheet, [header[:-1]] + [[0, i.section, i.name, i.unit] for i in indicators], least=8, most=40)
    sheet.column_dimensions[get_column_letter(len(header))].width = 60
    sheet.freeze_panes = "D6"
    print_setup(sheet, "5:5")
    sheet.append([text_cell(sheet, plan.name, font=TITLE_FONT)])
    sheet.append(safe_row(sheet, [_("文号"), plan.document_number, _("地区"), district.name]))
    exported = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    sheet.append(safe_row(sheet, [_("截至年度"), year, _("导出时间"), exported]))
    summary = [text_cell(sheet, _("各状态指标数"), font=HEADER_FONT)]
    for status in STATUS_ORDER:
        if counts[status]:
            summary.append(
                text_cell(sheet, f"{progress.STATUS_LABELS[status]} {counts[status]}", **status_style(status))
            )
    sheet.append(summary)
    sheet.append(header_cells(sheet, header))
    for number, indicator in enumerate(indicators, start=1):
        assessment = data.assessment(indicator, district)
        status = data.status(indicator, district)
        figures = data.values.get((indicator.pk, district.pk), {})
        final = data.final_target(indicator, district)
        fmt = number_format(indicator)
        row = [number] + safe_row(sheet, [indicator.section, indicator.name, indicator.unit])
        row += [_figure(sheet, figures.get(y), fmt) for y in [plan.base_year, *years]]
        row.append(cell(sheet, f"{final.year}: {final.display}" if final else ""))
        row.append(_figure(sheet, assessment.expected if assessment else None, fmt))
        row.append(text_cell(sheet, str(progress.STATUS_LABELS[status]), **status_style(status)))
        row.append(cell(sheet, assessment.explanation if assessment else ""))
        sheet.append(row)


def _district_sheet(workbook, data):
    """Districts down, indicators across (value, own target, status), for the indicators districts report."""
    sheet = workbook.create_sheet(_("分地区"))
    indicators = data.across or data.reported(data.district)
    names = [_("地区")]
    subheader = [_("地区")]
    for indicator in indicators:
        names += [f"{indicator.name}（{indicator.unit}）", "", ""]
        subheader += [_("%(year)d年数值") % {"year": data.year}, _("目标"), _("状态")]
    sheet.column_dimensions["A"].width = 12
    for index in range(len(indicators)):
        for offset, size in enumerate((12, 12, 10)):
            sheet.column_dimensions[get_column_letter(2 + index * 3 + offset)].width = size
    sheet.freeze_panes = "B3"
    print_setup(sheet, "1:2")
    sheet.append(header_cells(sheet, names))
    sheet.append(header_cells(sheet, subheader))
    for district in data.districts:
        row = [text_cell(sheet, district.name)]
        for indicator in indicators:
            value = data.values.get((indicator.pk, district.pk), {}).get(data.year)
            final = data.final_target(indicator, district)
            status = data.status(indicator, district)
            row.append(_figure(sheet, value, number_format(indicator)))
            row.append(cell(sheet, f"{final.year}: {final.display}" if final else ""))
            row.append(text_cell(sheet, str(progress.STATUS_LABELS[status]), **status_style(status)))
        sheet.append(row)


def _task_sheet(workbook, plan, year):
    """The plan's tasks and their items, one line per item, with each year's reported status of the task."""
    sheet = workbook.create_sheet(_("任务清单"))
    years = list(range(plan.base_year + 1, year + 1))
    header = [_("序号"), _("类别"), _("任务"), _("责任单位"), _("内容序号"), _("内容"), _("量化目标")]
    header += [_("%(year)d年进展") % {"year": y} for y in years]
    for index, size in enumerate((6, 24, 36, 20, 8, 80, 24) + (10,) * len(years), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = size
    sheet.freeze_panes = "D2"
    print_setup(sheet, "1:1")
    sheet.append(header_cells(sheet, header))
    items = {}
    for item in TaskItem.objects.filter(task__plan=plan).order_by("task__number", "order"):
        items.setdefault(item.task_id, []).append(item)
    labels = dict(TaskStatus.choices)
    statuses = {
        (task_id, report_year): str(labels[status])
        for task_id, report_year, status in TaskReport.objects.filter(task__plan=plan, year__in=years).values_list(
            "task_id", "year", "status"
        )
    }
    for task in Task.objects.filter(plan=plan).order_by("number"):
        title = task.title or _("（原文缺失）")
        for item in items.get(task.pk) or [None]:
            row = [task.number] + safe_row(sheet, [task.category, title, task.department])
            if item is None:
                row += [None, "", ""]
            else:
                row += [item.order, cell(sheet, item.content, alignment=WRAP), cell(sheet, item.quantitative_target)]
            row += [statuses.get((task.pk, y), "") for y in years]
            sheet.append(row)


DETAIL_FIELDS = [
    "indicator__code",
    "indicator__name",
    "district__code",
    "district__name",
    "year",
    "value",
    "indicator__unit",
    "status",
    "note",
    "source",
    "entered_by__username",
    "entered_at",
    "approved_by__username",
    "approved_at",
]


def _detail_sheet(workbook, plan, user, districts):
    """Every figure the user may see, one per line, streamed from the database in chunks."""
    sheet = workbook.create_sheet(_("数据明细"))
    header = [
        _("指标代码"),
        _("指标名称"),
        _("地区代码"),
        _("地区名称"),
        _("年份"),
        _("数值"),
        _("单位"),
        _("状态"),
        _("说明"),
        _("数据来源"),
        _("填报人"),
        _("填报时间"),
        _("审核人"),
        _("审核时间"),
    ]
    longest = max((width(i.name) for i in Indicator.objects.filter(plan=plan).only("name")), default=20)
    sizes = (30, min(longest + 2, 50), 10, 14, 6, 12, 8, 8, 40, 24, 12, 17, 12, 17)
    for letter, size in zip("ABCDEFGHIJKLMN", sizes, strict=True):
        sheet.column_dimensions[letter].width = size
    sheet.freeze_panes = "A2"
    print_setup(sheet, "1:1")
    sheet.append(header_cells(sheet, header))
    labels = dict(ObservationStatus.choices)
    figures = (
        Observation.objects.visible_to(user)
        .filter(indicator__plan=plan, district__in=[d.pk for d in districts])
        .order_by("indicator__order", "indicator__code", "district__order", "year")
        .values_list(*DETAIL_FIELDS)
    )
    for (
        code,
        name,
        d_code,
        d_name,
        year,
        value,
        unit,
        status,
        note,
        source,
        by,
        at,
        approver,
        approved,
    ) in figures.iterator(chunk_size=2000):
        sheet.append(
            safe_row(sheet, [code, name, d_code, d_name, year, float(value), unit, str(labels[status]), note, source])
            + [by, _date_cell(sheet, at), approver, _date_cell(sheet, approved)]
        )


def _date_cell(sheet, moment):
    return cell(sheet, _local(moment), number_format="yyyy-mm-dd hh:mm") if moment else None


def _chart_sheet(workbook, data):
    """A native line chart per main indicator (专栏1) of the chosen district: baseline, actuals and final target."""
    sheet = workbook.create_sheet(_("趋势图"))
    plan, district = data.plan, data.district
    years = list(range(plan.base_year, plan.target_year + 1))
    main = [i for i in data.reported(district) if i.section == "专栏1"] or data.reported(district)
    for letter, size in zip("ABCD", (8, 12, 12, 12), strict=True):
        sheet.column_dimensions[letter].width = size
    print_setup(sheet, None)
    block = 16  # rows per indicator: its table, then room for the chart beside it
    row_number = 0
    for indicator in main:
        figures = data.values.get((indicator.pk, district.pk), {})
        baseline = figures.get(plan.base_year)
        final = data.final_target(indicator, district)
        fmt = number_format(indicator)
        top = row_number + 1
        sheet.append([text_cell(sheet, f"{indicator.name}（{indicator.unit}）", font=HEADER_FONT)])
        sheet.append(header_cells(sheet, [_("年份"), _("基期值"), _("实际值"), _("目标值")]))
        for year in years:
            sheet.append(
                [
                    text_cell(sheet, str(year)),
                    _figure(sheet, baseline, fmt),
                    _figure(sheet, figures.get(year), fmt),
                    _figure(sheet, final.value if final else None, fmt),
                ]
            )
        for _blank in range(block - 2 - len(years)):
            sheet.append([])
        row_number += block
        chart = LineChart()
        chart.title = indicator.name
        chart.y_axis.title = indicator.unit
        chart.height, chart.width = 7.5, 16
        chart.add_data(
            Reference(sheet, min_col=2, max_col=4, min_row=top + 1, max_row=top + 1 + len(years)), titles_from_data=True
        )
        chart.set_categories(Reference(sheet, min_col=1, min_row=top + 2, max_row=top + 1 + len(years)))
        sheet.add_chart(chart, f"F{top}")


# ---------------------------------------------------------------------------------------------------------------
# The fill-in template

META_SHEET = "planboard"
TEMPLATE_MARK = "planboard-template-1"
# (field, header); the header row of every district sheet must read exactly so.
TEMPLATE_COLUMNS = [
    ("indicator", "指标代码"),
    ("name", "指标名称"),
    ("unit", "单位"),
    ("previous", "上年数值"),
    ("target", "目标"),
    ("current", "已填数据"),
    ("value", "本年数值"),
    ("confirm", "确认大幅变动"),
    ("note", "说明"),
    ("reason", "原因分析"),
    ("measures", "整改措施"),
]
TEMPLATE_INPUTS = ["value", "confirm", "note", "reason", "measures"]
TEMPLATE_HEADER_ROW = 2


def _template_letter(name):
    return get_column_letter([f for f, _h in TEMPLATE_COLUMNS].index(name) + 1)


def template_districts(user, district=None):
    """The districts whose sheet the user gets: those they may enter, or just the one asked for."""
    districts = upload_districts(user)
    if district is not None:
        districts = [d for d in districts if d.pk == district.pk]
    return districts


def write_template(out, *, plan, year, districts):
    """A workbook with one protected sheet per district, to fill in figures for `year` and upload again."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    indicators = list(Indicator.objects.filter(plan=plan))
    ids = [d.pk for d in districts]
    targets = {}
    for target in Target.objects.filter(indicator__plan=plan, district__in=ids).order_by("year"):
        targets.setdefault((target.indicator_id, target.district_id), []).append(target)
    stored = {
        (o.indicator_id, o.district_id, o.year): o
        for o in Observation.objects.filter(indicator__plan=plan, district__in=ids, year__in=[year - 1, year])
    }
    for district in districts:
        reported = [i for i in indicators if district.is_province or (i.pk, district.pk) in targets]
        _template_sheet(workbook.create_sheet(district.short_name), plan, year, district, reported, targets, stored)
    meta = workbook.create_sheet(META_SHEET)
    meta.append([TEMPLATE_MARK])
    meta.append(["plan", plan.code])
    meta.append(["year", year])
    for district in districts:
        meta.append(["sheet", district.short_name, district.code])
    meta.sheet_state = "hidden"
    workbook.security.lockStructure = True
    workbook.save(out)


def _template_sheet(sheet, plan, year, district, indicators, targets, stored):
    unlocked = Protection(locked=False)
    sheet.append(
        [
            _(
                "%(district)s %(year)d年数据填报表：只填写“本年数值”及其后各列；大幅变动须填“是”并写说明；"
                "提交后进度滞后或倒退的须填写原因分析和整改措施。"
            )
            % {"district": district.name, "year": year}
        ]
    )
    sheet["A1"].font = HEADER_FONT
    sheet.append([header for _f, header in TEMPLATE_COLUMNS])
    for header_cell in sheet[TEMPLATE_HEADER_ROW]:
        header_cell.font, header_cell.fill = HEADER_FONT, HEADER_FILL
    confirm_list = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    confirm_list.error = _("请选择“是”或“否”。")
    sheet.add_data_validation(confirm_list)
    validations = {}
    for indicator in indicators:
        previous = stored.get((indicator.pk, district.pk, year - 1))
        current = stored.get((indicator.pk, district.pk, year))
        final = (targets.get((indicator.pk, district.pk)) or [None])[-1]
        sheet.append(
            [
                indicator.code,
                indicator.name,
                indicator.unit,
                float(previous.value) if previous else None,
                f"{final.year}: {final.display}" if final else "",
                f"{_plain(current.value)}（{current.get_status_display()}）" if current else "",
            ]
        )
        row = sheet.max_row
        sheet.cell(row, 4).number_format = number_format(indicator)
        for name in TEMPLATE_INPUTS:
            target_cell = sheet[f"{_template_letter(name)}{row}"]
            target_cell.protection = unlocked
            if name != "value":
                target_cell.number_format = "@"  # typed text stays text, "=..." included
        confirm_list.add(f"{_template_letter('confirm')}{row}")
        _value_validation(sheet, validations, indicator).add(f"{_template_letter('value')}{row}")
    for index, (_f, header) in enumerate(TEMPLATE_COLUMNS, start=1):
        longest = max([width(header)] + [width(c.value) for c in sheet[get_column_letter(index)][2:]])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 10), 40)
    sheet.freeze_panes = f"C{TEMPLATE_HEADER_ROW + 1}"
    print_setup(sheet, f"{TEMPLATE_HEADER_ROW}:{TEMPLATE_HEADER_ROW}")
    sheet.protection.sheet = True


def _value_validation(sheet, validations, indicator):
    """One data validation per kind of number (whole or decimal, bounds), shared by the rows that need it."""
    low = indicator.min_value if indicator.min_value is not None else 0
    high = indicator.max_value
    key = (indicator.whole_number, low, high)
    if key not in validations:
        kind = "whole" if indicator.whole_number else "decimal"
        if high is None:
            rule = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=_plain(low))
        else:
            rule = DataValidation(type=kind, operator="between", formula1=_plain(low), formula2=_plain(high))
        rule.error = _("请输入%(low)s至%(high)s之间的%(kind)s。") % {
            "low": _plain(low),
            "high": _plain(high) if high is not None else "∞",
            "kind": _("整数") if indicator.whole_number else _("数字"),
        }
        rule.showErrorMessage = True
        sheet.add_data_validation(rule)
        validations[key] = rule
    return validations[key]


# ---------------------------------------------------------------------------------------------------------------
# Reading files: the long format of `import_values`, and uploads (the template or the long format)


def read_long_table(file, filename):
    """Yield (row number, {column: value}) from a long-format CSV or XLSX with a header row."""
    if filename.lower().endswith(".csv"):
        lines = _csv_lines(file.read())
    else:
        sheet = load_workbook(file, read_only=True, data_only=True).worksheets[0]
        lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = _long_header(lines[0] if lines else None)
    yield from _long_rows(header, lines[1:], start=2)


def _csv_lines(data):
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadFile(_("CSV 文件须为 UTF-8 编码（在 Excel 中另存为“CSV UTF-8”）。")) from None
    return list(csv.reader(io.StringIO(data)))


def _long_header(first_line):
    if not first_line:
        raise BadFile(_("文件是空的。"))
    header = [str(value or "").strip().lower() for value in first_line]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise BadFile(_("缺少列：%(columns)s。") % {"columns": "、".join(missing)})
    extra = [name for name in header if name and name not in LONG_COLUMNS]
    if extra:
        raise BadFile(_("无法识别的列：%(columns)s。") % {"columns": "、".join(extra)})
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        raise BadFile(_("列重复：%(columns)s。") % {"columns": "、".join(duplicated)})
    return header


def _long_rows(header, lines, *, start):
    for number, line in enumerate(lines, start=start):
        if not any(value not in (None, "") for value in line):
            continue
        _no_cells_beyond(line, len(header), number)
        yield number, {name: value for name, value in zip(header, line, strict=False) if name}


def _no_cells_beyond(line, columns, number, sheet=""):
    for index, value in enumerate(line[columns:], start=columns + 1):
        if value not in (None, ""):
            raise BadFile(
                _("%(sheet)s第%(row)d行%(column)s列在表头之外有内容：多出的列不能导入。")
                % {"sheet": sheet, "row": number, "column": get_column_letter(index)}
            )


@dataclass
class Sheet:
    """The filled rows of one sheet of an upload, ready for `services.check_rows`."""

    title: str
    rows: list  # [(row number, {field: value})]
    columns: dict  # {field: (column letter, header)}, to name the cell an error is about

    def locate(self, number, name, message):
        letter, header = self.columns.get(name) or self.columns.get("value")
        return _("工作表“%(sheet)s”第%(row)d行%(column)s列（%(header)s）：%(message)s") % {
            "sheet": self.title,
            "row": number,
            "column": letter,
            "header": header,
            "message": message,
        }


def read_upload(data, filename, *, plan, user):
    """The sheets of an uploaded file, or BadFile saying what is wrong with the file as a whole."""
    name = PurePath(filename).name.lower()
    if len(data) > MAX_BYTES:
        raise BadFile(_("文件超过 %(mb)d MB，请拆分后再上传。") % {"mb": MAX_BYTES // (1024 * 1024)})
    source = PurePath(filename).name[:200]
    if name.endswith(".csv"):
        lines = _csv_lines(data)
        _check_row_count(len(lines))
        header = _long_header(lines[0] if lines else None)
        return [_long_sheet(source, header, lines[1:], source)]
    if name.endswith((".xlsm", ".xltm", ".xlsb", ".xlam")):
        raise BadFile(_("不接受含宏的文件（%(name)s），请另存为 .xlsx 后上传。") % {"name": source})
    if not name.endswith(".xlsx"):
        raise BadFile(_("只接受 .xlsx 或 .csv 文件。"))
    workbook = _open_xlsx(data)
    contents, total = {}, 0
    for sheet in workbook.worksheets:
        contents[sheet.title] = _values(sheet, total)
        total += len(contents[sheet.title])
    workbook.close()
    if META_SHEET in contents:
        return _template_sheets(contents, plan=plan, user=user, source=source)
    title, lines = next(iter(contents.items()))
    header = _long_header(lines[0] if lines else None)
    return [_long_sheet(title, header, lines[1:], source)]


def _long_sheet(title, header, lines, source):
    rows = list(_long_rows(header, lines, start=2))
    for _number, row in rows:
        row["source"] = row.get("source") or source
    columns = {name: (get_column_letter(index), name) for index, name in enumerate(header, start=1) if name}
    return Sheet(title, rows, columns)


def _check_row_count(count):
    if count > MAX_ROWS + 1:
        raise BadFile(_("文件超过 %(rows)d 行，请拆分后再上传。") % {"rows": MAX_ROWS})


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\b")


def _open_xlsx(data):
    """Open an .xlsx in read-only mode after checking it is one: a plain, unencrypted, macro-free, sane zip."""
    if data.startswith(OLE_MAGIC):
        # Password-protected workbooks are OLE containers with an EncryptionInfo stream; so are old .xls files.
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise BadFile(_("文件设置了打开密码，请取消密码后再上传。"))
        raise BadFile(_("这是旧版 Excel（.xls）文件，请另存为 .xlsx 后上传。"))
    if not data.startswith(b"PK\x03\x04"):
        raise BadFile(_("文件不是有效的 .xlsx 文件（可能是改了扩展名的 CSV 或其他文件），请在 Excel 中另存为 .xlsx。"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except zipfile.BadZipFile:
        raise BadFile(_("文件已损坏，无法读取。")) from None
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED:
        raise BadFile(_("文件解压后过大（可能是压缩炸弹），已拒绝。"))
    names = {part.filename.lower() for part in parts}
    if any(n.endswith("vbaproject.bin") for n in names) or b"macroEnabled" in archive.read("[Content_Types].xml"):
        raise BadFile(_("文件含有宏，请另存为不含宏的 .xlsx 后上传。"))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of error on a broken package; all mean the same to the user
        raise BadFile(_("无法读取该 Excel 文件，请在 Excel 中重新保存为 .xlsx 后上传。")) from None
    for sheet in workbook.worksheets:
        if _has_merged_cells(archive, sheet._worksheet_path):
            raise BadFile(_("工作表“%(sheet)s”有合并单元格，请取消合并后再上传。") % {"sheet": sheet.title})
    return workbook


def _has_merged_cells(archive, path):
    tail = b""
    with archive.open(path.lstrip("/")) as part:
        while chunk := part.read(1 << 16):
            if MERGE_CELL.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _values(sheet, rows_so_far):
    """The sheet's values as lists, refusing formulas (we only take typed values) and too many rows."""
    lines = []
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if rows_so_far + number > MAX_ROWS + 1:
            _check_row_count(rows_so_far + number)
        values = []
        for position, read in enumerate(row, start=1):
            if read.data_type == "f":
                raise BadFile(
                    _("工作表“%(sheet)s”%(cell)s是公式，请复制后“粘贴为数值”再上传。")
                    % {"sheet": sheet.title, "cell": f"{get_column_letter(position)}{number}"}
                )
            value = read.value
            values.append(value.strip() if isinstance(value, str) else value)
        lines.append(values)
    while lines and not any(v not in (None, "") for v in lines[-1]):
        lines.pop()
    return lines


def _template_sheets(contents, *, plan, user, source):
    meta = contents.pop(META_SHEET)
    if not meta or meta[0][:1] != [TEMPLATE_MARK]:
        raise BadFile(_("文件中的“%(sheet)s”工作表不是本系统生成的。") % {"sheet": META_SHEET})
    settings = {line[0]: line[1:] for line in meta[1:] if line and line[0] in ("plan", "year")}
    if (settings.get("plan") or [None])[0] != plan.code:
        raise BadFile(_("这是另一个规划的填报表，请下载当前规划的模板。"))
    year = (settings.get("year") or [None])[0]
    mapping = {line[1]: str(line[2]) for line in meta[1:] if len(line) >= 3 and line[0] == "sheet"}
    districts = {d.code: d for d in District.objects.filter(code__in=mapping.values())}
    allowed = {d.pk for d in upload_districts(user)}
    sheets = []
    for title, lines in contents.items():
        code = mapping.get(title)
        if code is None:
            raise BadFile(_("工作表“%(sheet)s”不是模板中的工作表，请勿增加或重命名工作表。") % {"sheet": title})
        district = districts.get(code)
        if district is None:
            raise BadFile(_("工作表“%(sheet)s”对应的地区“%(code)s”不存在。") % {"sheet": title, "code": code})
        if district.pk not in allowed:
            raise BadFile(
                _("工作表“%(sheet)s”是%(district)s的填报表，您无权填报该地区的数据。")
                % {"sheet": title, "district": district.name}
            )
        sheets.append(_template_sheet_rows(title, lines, district, year, source))
    if len({s.rows[0][1]["district"] for s in sheets if s.rows}) < len([s for s in sheets if s.rows]):
        raise BadFile(_("同一地区出现在多个工作表中。"))
    return sheets


def _template_sheet_rows(title, lines, district, year, source):
    expected = [header for _f, header in TEMPLATE_COLUMNS]
    header = [str(v or "") for v in (lines[TEMPLATE_HEADER_ROW - 1] if len(lines) >= TEMPLATE_HEADER_ROW else [])]
    while header and not header[-1]:
        header.pop()
    if header != expected:
        missing = [h for h in expected if h not in header]
        extra = [h for h in header if h not in expected]
        problem = []
        if missing:
            problem.append(_("缺少列：%(columns)s") % {"columns": "、".join(missing)})
        if extra:
            problem.append(_("多出列：%(columns)s") % {"columns": "、".join(h or _("（空白）") for h in extra)})
        if not problem:
            problem.append(_("列的顺序被改动"))
        raise BadFile(
            _("工作表“%(sheet)s”第%(row)d行的列与模板不一致（%(problem)s），请使用下载的模板。")
            % {"sheet": title, "row": TEMPLATE_HEADER_ROW, "problem": "；".join(problem)}
        )
    fields = [f for f, _h in TEMPLATE_COLUMNS]
    rows = []
    for number, line in enumerate(lines[TEMPLATE_HEADER_ROW:], start=TEMPLATE_HEADER_ROW + 1):
        _no_cells_beyond(line, len(fields), number, sheet=_("工作表“%(sheet)s”") % {"sheet": title})
        row = dict(zip(fields, line, strict=False))
        if all(row.get(name) in (None, "") for name in TEMPLATE_INPUTS):
            continue  # an indicator left blank is simply not reported this time
        row.update(district=district.code, year=year, source=source)
        rows.append((number, row))
    columns = {f: (get_column_letter(i), h) for i, (f, h) in enumerate(TEMPLATE_COLUMNS, start=1)}
    columns["year"] = columns["district"] = columns["value"]
    return Sheet(title, rows, columns)


# ---------------------------------------------------------------------------------------------------------------
# Preview and confirm


@dataclass
class Line:
    """One filled row of an upload as the preview shows it."""

    sheet: str
    row: int
    indicator: str
    district: str
    year: object
    change: str = "error"  # new, changed, unchanged or error
    old: object = None
    new: object = None
    errors: list = field(default_factory=list)


@dataclass
class Preview:
    filename: str
    lines: list

    @property
    def counts(self):
        return {kind: sum(line.change == kind for line in self.lines) for kind in CHANGES}

    @property
    def ok(self):
        return bool(self.lines) and not self.counts["error"]


CHANGES = ["new", "changed", "unchanged", "error"]


class UploadRejected(Exception):
    """Rows of an upload failed the checks on confirm: nothing was saved. `errors` name sheet, row and column."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def preview_upload(data, filename, *, plan, user, action):
    """What saving the file would do, row by row, without writing anything."""
    lines = []
    for sheet in read_upload(data, filename, plan=plan, user=user):
        failed = {}
        pending = sheet.rows
        checked = []
        # check_rows is all or nothing: check again without the failed rows to learn what the others would do.
        while pending:
            try:
                checked = services.check_rows(plan=plan, rows=pending, by=user, action=action)
                break
            except services.ImportRejected as rejected:
                for number, name, message in rejected.errors:
                    letter, header = sheet.columns.get(name) or sheet.columns["value"]
                    failed.setdefault(number, []).append(f"{letter}列（{header}）：{message}")
                pending = [(number, row) for number, row in pending if number not in failed]
        results = iter(checked)
        for number, row in sheet.rows:
            line = Line(sheet.title, number, row.get("indicator"), row.get("district"), row.get("year"))
            if number in failed:
                line.errors = failed[number]
            else:
                result = next(results)
                line.indicator, line.district = result.indicator.name, result.district.name
                line.change, line.new = result.change, result.value
                line.old = result.existing.value if result.existing else None
            lines.append(line)
    if not lines:
        raise BadFile(_("文件中没有填写任何数值。"))
    return Preview(PurePath(filename).name, lines)


def save_upload(data, filename, *, plan, user, action):
    """Check the file again and save every row in one transaction, or nothing (UploadRejected)."""
    sheets = read_upload(data, filename, plan=plan, user=user)
    saved = []
    with transaction.atomic():
        for sheet in sheets:
            try:
                saved += services.import_rows(plan=plan, rows=sheet.rows, by=user, action=action)
            except services.ImportRejected as rejected:
                raise UploadRejected([sheet.locate(*error) for error in rejected.errors]) from None
    if not saved:
        raise BadFile(_("文件中没有填写任何数值。"))
    return saved


def report_filename(plan, year, district):
    stamp = datetime.now().strftime("%Y%m%d")
    return f"{plan.name}-{district.short_name if district else ''}{year}年报表-{stamp}.xlsx"


# ---------------------------------------------------------------------------------------------------------------
# Who may upload, and keeping an uploaded file between the preview and the confirmation


def upload_districts(user):
    """Districts a user may fill by upload: analysts any they may enter, everyone else only their own."""
    districts = [d for d in District.objects.visible_to(user) if services.can_enter(user, d)]
    if user.has_perm("indicators.import_values"):
        return districts
    own = set(user.districts.values_list("pk", flat=True))
    return [d for d in districts if d.pk in own]


UPLOADS = Path(tempfile.gettempdir()) / "planboard-uploads"
SESSION_KEY = "excel_upload"
UPLOAD_LIFETIME = 24 * 3600


def stash_upload(session, user, data, filename, action):
    """Keep the file on the server under a random token bound to this session and user; the browser only
    confirms, it never sends the rows back."""
    UPLOADS.mkdir(mode=0o700, parents=True, exist_ok=True)
    for old in UPLOADS.glob("*.upload"):
        if time.time() - old.stat().st_mtime > UPLOAD_LIFETIME:
            old.unlink(missing_ok=True)
    drop_upload(session, user)
    token = secrets.token_hex(16)
    (UPLOADS / f"{user.pk}-{token}.upload").write_bytes(data)
    session[SESSION_KEY] = {"token": token, "name": PurePath(filename).name, "action": action}


def stashed_upload(session, user):
    """(data, file name, action) of the file this user uploaded last, or None."""
    stashed = session.get(SESSION_KEY) or {}
    path = _stash_path(user, stashed.get("token"))
    if path is None or not path.exists():
        return None
    return path.read_bytes(), stashed["name"], stashed["action"]


def drop_upload(session, user):
    stashed = session.pop(SESSION_KEY, None) or {}
    path = _stash_path(user, stashed.get("token"))
    if path is not None:
        path.unlink(missing_ok=True)


def _stash_path(user, token):
    if not isinstance(token, str) or not re.fullmatch(r"[0-9a-f]{32}", token):
        return None
    return UPLOADS / f"{user.pk}-{token}.upload"
