"""The fill-in template: one protected sheet per district, to fill in a year's figures and upload again."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from figures import access, rounds
from figures.models import Observation
from plans.chains import showing
from plans.explanations import plain
from plans.models import Indicator, Target
from plans.xlsx import HEADER_FILL, HEADER_FONT, number_format, print_setup, safe_row, width

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
    ("source", "数据来源"),
]
TEMPLATE_INPUTS = ["value", "confirm", "note", "reason", "measures", "source"]
TEMPLATE_HEADER_ROW = 2


def _template_letter(name):
    return get_column_letter([f for f, _h in TEMPLATE_COLUMNS].index(name) + 1)


def template_districts(user, district=None):
    """The districts whose sheet the user gets: those they may enter, or just the one asked for."""
    districts = access.upload_districts(user)
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
    # A continuing indicator's figures are stored on the first indicator of its chain (README).
    shown_as = showing(indicators)
    stored = {
        (shown_as[o.indicator_id], o.district_id, o.year): o
        for o in Observation.objects.filter(indicator__in=list(shown_as), district__in=ids, year__in=[year - 1, year])
    }
    deadline = rounds.deadlines(plan, [year]).get(year)
    for district in districts:
        reported = [i for i in indicators if district.reports(i, targets)]
        sheet = workbook.create_sheet(district.short_name)
        _template_sheet(sheet, plan, year, district, reported, targets, stored)
        if deadline:
            sheet["A1"].value += rounds.deadline_words(deadline)
    meta = workbook.create_sheet(META_SHEET)
    meta.append([TEMPLATE_MARK])
    meta.append(safe_row(meta, ["plan", plan.code]))
    meta.append(["year", year])
    for district in districts:
        meta.append(safe_row(meta, ["sheet", district.short_name, district.code]))
    meta.sheet_state = "hidden"
    workbook.security.lockStructure = True
    workbook.save(out)


def _template_sheet(sheet, plan, year, district, indicators, targets, stored):
    unlocked = Protection(locked=False)
    # Every text through safe_row: a name or unit of the plan's data that looks like a formula stays text.
    sheet.append(
        safe_row(
            sheet,
            [
                _(
                    "%(district)s %(year)d年数据填报表：只填写“本年数值”及其后各列；大幅变动须填“是”并写说明；"
                    "提交后进度滞后或倒退的须填写原因分析和整改措施。"
                )
                % {"district": district.name, "year": year}
            ],
        )
    )
    sheet["A1"].font = HEADER_FONT
    sheet.append(safe_row(sheet, [header for _f, header in TEMPLATE_COLUMNS]))
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
            safe_row(
                sheet,
                [
                    indicator.code,
                    indicator.name,
                    indicator.unit,
                    float(previous.value) if previous else None,
                    f"{final.year}: {final.display}" if final else "",
                    f"{plain(current.value)}（{current.get_status_display()}）" if current else "",
                ],
            )
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
            rule = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=plain(low))
        else:
            rule = DataValidation(type=kind, operator="between", formula1=plain(low), formula2=plain(high))
        rule.error = _("请输入%(low)s至%(high)s之间的%(kind)s。") % {
            "low": plain(low),
            "high": plain(high) if high is not None else "∞",
            "kind": _("整数") if indicator.whole_number else _("数字"),
        }
        rule.showErrorMessage = True
        sheet.add_data_validation(rule)
        validations[key] = rule
    return validations[key]
