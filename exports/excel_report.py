"""The Excel report (导出报表): the dashboard's statuses, the districts, the tasks, every figure and charts."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from exports.evaluation_data import main_indicators
from figures import access
from figures.assessments import assess
from figures.excel_files import BadFile
from figures.models import Observation, ObservationStatus
from plans import progress
from plans.chains import showing
from plans.models import District, Indicator, Target, Task, TaskItem, in_english
from plans.statuses import STATUS_ORDER
from plans.xlsx import (
    HEADER_FILL,
    HEADER_FONT,
    TITLE_FONT,
    WRAP,
    cell,
    header_cells,
    local_time,
    number_format,
    print_setup,
    safe_row,
    set_widths,
    status_style,
    text_cell,
    unit_suffix,
    width,
)
from tasks.models import TaskReport, TaskStatus

# ---------------------------------------------------------------------------------------------------------------
# The report

ACROSS = Alignment(horizontal="centerContinuous", vertical="top")
INDENTED = Alignment(horizontal="left", indent=1)
DETAIL_SCALE = 70  # per cent: 数据明细 prints at a readable size, its columns over two pages across if need be
CHARTS_PER_PAGE = 2


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
        # A continuing indicator's figures are stored on the first indicator of its chain (README).
        shown_as = showing(indicators)
        stored_across = [stored for stored, pk in shown_as.items() if pk in {i.pk for i in across}]
        figures = Observation.objects.approved().shown_in(plan).filter(district__in=ids, year__lte=year)
        for stored_on, district_id, figure_year, value in figures.filter(
            Q(district=district) | Q(year=year, indicator__in=stored_across)
        ).values_list("indicator_id", "district_id", "year", "value"):
            values.setdefault((shown_as[stored_on], district_id), {})[figure_year] = value
        assessments = assess(plan, as_of=year, districts=[district])
        assessments.update(assess(plan, as_of=year, indicators=across, districts=ids))
        return cls(plan, year, district, districts, indicators, across, assessments, values, targets)

    def reported(self, district):
        """The district's indicators as the dashboard lists them: all for 全省, otherwise those with targets."""
        return [i for i in self.indicators if district.reports(i, self.targets)]

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
    visible = list(access.visible_districts(user))
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
    exported = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    # Widths from the values as printed ("106.55万人"), so LibreOffice never prints "###"; the title block's
    # cells (the document number 闽政办〔2021〕50号) are measured too, so they are not cut by their neighbours.
    shown = [header[:-1], [_("文号"), plan.document_number, _("地区"), district.display_name]]
    shown.append([_("截至年度"), year, _("导出时间"), exported])
    for indicator in indicators:
        assessment = data.assessment(indicator, district)
        figures = data.values.get((indicator.pk, district.pk), {})
        final = data.final_target(indicator, district)
        line = [0, indicator.section, indicator.display_name, indicator.display_unit]
        line += [_shown(figures.get(y), indicator) for y in [plan.base_year, *years]]
        line += [
            f"{final.year}: {final.display}" if final else "",
            _shown(assessment and assessment.expected, indicator),
        ]
        shown.append(line + [progress.STATUS_LABELS[data.status(indicator, district)]])
    set_widths(sheet, shown, least=8, most=40)
    sheet.column_dimensions[get_column_letter(len(header))].width = 60
    sheet.freeze_panes = "D6"
    print_setup(sheet, "5:5")
    _page_header(sheet, plan)
    sheet.append([text_cell(sheet, plan.name, font=TITLE_FONT)])
    sheet.append(safe_row(sheet, [_("文号"), plan.document_number, _("地区"), district.display_name]))
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
        row = [number] + safe_row(sheet, [indicator.section, indicator.display_name, indicator.display_unit])
        row += [_figure(sheet, figures.get(y), fmt) for y in [plan.base_year, *years]]
        row.append(cell(sheet, f"{final.year}: {final.display}" if final else ""))
        row.append(_figure(sheet, assessment.expected if assessment else None, fmt))
        row.append(text_cell(sheet, str(progress.STATUS_LABELS[status]), **status_style(status)))
        row.append(cell(sheet, assessment.explanation if assessment else ""))
        sheet.append(row)


def _shown(value, indicator):
    """A figure as `number_format` prints it, to measure its column: 1065500 → "1,065,500", 106.55 → "106.55万人"."""
    if value is None:
        return ""
    decimals = indicator.shown_decimals
    text = f"{float(value):,.{decimals}f}"
    return text + ("%" if indicator.is_rate else unit_suffix(indicator))


def _page_header(sheet, plan):
    """The plan's name and document number on top of every printed page, the page number below."""
    sheet.oddHeader.center.text = f"{plan.name} {plan.document_number}"
    sheet.oddHeader.center.size = 9
    sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")
    sheet.oddFooter.center.size = 9


def _district_sheet(workbook, data):
    """Districts down, indicators across (value, own target, status), for the indicators districts report."""
    sheet = workbook.create_sheet(_("分地区"))
    indicators = data.across or data.reported(data.district)
    names = [_("地区")]
    subheader = [_("地区")]
    for indicator in indicators:
        names += [_("%(name)s（%(unit)s）") % {"name": indicator.display_name, "unit": indicator.display_unit}, "", ""]
        subheader += [_("%(year)d年数值") % {"year": data.year}, _("目标"), _("状态")]
    sheet.column_dimensions["A"].width = max([12] + [width(d.display_name) + 2 for d in data.districts])
    for index, indicator in enumerate(indicators):
        values = [_shown(data.values.get((indicator.pk, d.pk), {}).get(data.year), indicator) for d in data.districts]
        finals = [data.final_target(indicator, d) for d in data.districts]
        finals = [f"{final.year}: {final.display}" for final in finals if final]
        for offset, texts in enumerate(
            (
                values + [subheader[1]],
                finals + [subheader[2]],
                [subheader[3], *map(str, progress.STATUS_LABELS.values())],
            )
        ):
            size = max([10] + [width(text) + 3 for text in texts])
            sheet.column_dimensions[get_column_letter(2 + index * 3 + offset)].width = size
    sheet.freeze_panes = "B3"
    print_setup(sheet, "1:2")
    _page_header(sheet, data.plan)
    # Each indicator's name spans its three columns (centred across them, not wrapped into the first and cut).
    sheet.append([text_cell(sheet, str(name), font=HEADER_FONT, fill=HEADER_FILL, alignment=ACROSS) for name in names])
    sheet.append(header_cells(sheet, subheader))
    for district in data.districts:
        row = [text_cell(sheet, district.display_name)]
        for indicator in indicators:
            value = data.values.get((indicator.pk, district.pk), {}).get(data.year)
            final = data.final_target(indicator, district)
            status = data.status(indicator, district)
            row.append(_figure(sheet, value, number_format(indicator)))
            # Indented, so the target never reads on from the right-aligned value before it ("35 2025: 63").
            row.append(cell(sheet, f"{final.year}: {final.display}" if final else "", alignment=INDENTED))
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
    _page_header(sheet, plan)
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
        title = task.display_title or _("（原文缺失）")
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
    "indicator__name_en",
    "district__code",
    "district__name",
    "district__name_en",
    "year",
    "value",
    "indicator__unit",
    "indicator__unit_en",
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
    longest = max((width(i.display_name) for i in Indicator.objects.filter(plan=plan)), default=20)
    sizes = (30, min(longest + 2, 50), 10, 14, 6, 12, 8, 8, 40, 24, 12, 17, 12, 17)
    for letter, size in zip("ABCDEFGHIJKLMN", sizes, strict=True):
        sheet.column_dimensions[letter].width = size
    sheet.freeze_panes = "A2"
    print_setup(sheet, "1:1")
    # Fitted to the page's width its fourteen columns printed at a third of their size.
    sheet.sheet_properties.pageSetUpPr.fitToPage = False
    sheet.page_setup.scale = DETAIL_SCALE
    sheet.print_title_cols = "A:B"
    _page_header(sheet, plan)
    sheet.append(header_cells(sheet, header))
    labels = dict(ObservationStatus.choices)
    figures = (
        Observation.objects.visible_to(user)
        .shown_in(plan)
        .filter(district__in=[d.pk for d in districts])
        .order_by("indicator__order", "indicator__code", "district__order", "year")
        .values_list(*DETAIL_FIELDS)
    )
    for (
        code,
        name,
        name_en,
        d_code,
        d_name,
        d_name_en,
        year,
        value,
        unit,
        unit_en,
        status,
        note,
        source,
        by,
        at,
        approver,
        approved,
    ) in figures.iterator(chunk_size=2000):
        sheet.append(
            safe_row(
                sheet,
                [
                    code,
                    in_english(name, name_en),
                    d_code,
                    in_english(d_name, d_name_en),
                    year,
                    float(value),
                    in_english(unit, unit_en),
                    str(labels[status]),
                    note,
                    source,
                    by,
                ],
            )
            + [_date_cell(sheet, at), *safe_row(sheet, [approver]), _date_cell(sheet, approved)]
        )


def _date_cell(sheet, moment):
    return cell(sheet, local_time(moment), number_format="yyyy-mm-dd hh:mm") if moment else None


def _chart_sheet(workbook, data):
    """A native line chart per main indicator (`is_main`) of the chosen district: baseline, actuals, final target."""
    sheet = workbook.create_sheet(_("趋势图"))
    plan, district = data.plan, data.district
    years = list(range(plan.base_year, plan.target_year + 1))
    main = main_indicators(data.reported(district))
    for letter, size in zip("ABCD", (8, 12, 12, 12), strict=True):
        sheet.column_dimensions[letter].width = size
    print_setup(sheet, None)
    _page_header(sheet, plan)
    block = 15  # rows per indicator: its table, then room for the chart beside it
    row_number = 0
    for number, indicator in enumerate(main):
        if number and number % CHARTS_PER_PAGE == 0:
            # A page holds whole blocks, so no chart is cut by a page break.
            sheet.row_breaks.append(Break(id=row_number))
        figures = data.values.get((indicator.pk, district.pk), {})
        baseline = figures.get(plan.base_year)
        final = data.final_target(indicator, district)
        fmt = number_format(indicator)
        top = row_number + 1
        sheet.append(
            [
                text_cell(
                    sheet,
                    _("%(name)s（%(unit)s）") % {"name": indicator.display_name, "unit": indicator.display_unit},
                    font=HEADER_FONT,
                )
            ]
        )
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
        chart.title = indicator.display_name
        chart.y_axis.title = indicator.display_unit
        chart.height, chart.width = 6.5, 16
        chart.add_data(
            Reference(sheet, min_col=2, max_col=4, min_row=top + 1, max_row=top + 1 + len(years)), titles_from_data=True
        )
        chart.set_categories(Reference(sheet, min_col=1, min_row=top + 2, max_row=top + 1 + len(years)))
        sheet.add_chart(chart, f"F{top}")


def report_filename(plan, year, district):
    stamp = datetime.now().strftime("%Y%m%d")
    return f"{plan.name}-{district.short_name if district else ''}{year}年报表-{stamp}.xlsx"
