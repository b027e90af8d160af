"""The evaluation report's sections, in the order they print: the title page, 一 to 五, and the landscape 附表."""

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from dashboards import charts
from exports import docx_parts
from exports.evaluation_words import (
    NOT_REPORTED,
    completion,
    count_summary,
    warning_note,
    word_order,
    words_note,
)
from plans.templatetags.progress_tags import figure, milestone
from plans.text import writable
from tasks.models import TaskStatus

ANNEX_MARGIN = 1.5  # cm, left and right, on landscape A4
LANDSCAPE_TEXT_WIDTH = 29.7 - 2 * ANNEX_MARGIN


def _picture_png(figure):
    """A chart as a PNG image. matplotlib is imported here, when a report is drawn, not by every process at start-up
    (the URLconf imports this module)."""
    from dashboards import chart_images

    return chart_images.render_png(figure)


def title_page(document, data):
    plan = data.plan
    heading = document.add_paragraph(writable(plan.name), style="Title")
    heading.add_run().add_break()
    heading.add_run(_("实施%(kind)s报告") % {"kind": data.kind})
    document.add_paragraph(
        _("（%(start)d—%(end)d年）") % {"start": plan.base_year, "end": plan.target_year}, style="Subtitle"
    )
    facts = [
        (_("规划名称"), plan.name),
        (_("规划文号"), plan.document_number or "—"),
        (_("评估类型"), data.kind),
        (
            _("规划期"),
            _("%(start)d年（基期）至%(end)d年（目标年）") % {"start": plan.base_year, "end": plan.target_year},
        ),
        (_("截至年份"), _("%(year)d年") % {"year": data.as_of}),
        (_("生成日期"), data.generated.strftime(_("%Y年%m月%d日"))),
    ]
    for label, value in facts:
        fact = document.add_paragraph()
        fact.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fact.add_run(_("%(label)s：") % {"label": label}).bold = True
        fact.add_run(writable(value))
    note = document.add_paragraph()
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = note.add_run(
        _(
            "本报告初稿由 planboard 根据审核通过的数据自动生成，指标状态按规划设定的进度阈值判断；"
            "标有“【待撰写】”的段落须由评估人员补充。"
        )
    )
    run.font.size = Pt(10.5)
    run.font.color.rgb = RGBColor(0x61, 0x6E, 0x7C)


def _value(line, value):
    return figure(value, line.indicator.shown_decimals) if value is not None else "—"


def indicators_section(document, data):
    plan = data.plan
    document.add_heading(_("一、主要指标完成情况"), level=1)
    summary = count_summary([line.word for line in data.main])
    warned = sum(line.warned for line in data.main)
    sentence = _("截至%(year)d年，全省%(summary)s") % {"year": data.as_of, "summary": summary}
    if warned:
        sentence += ngettext(
            "其中%(n)d项进度虽不滞后，但按近年趋势推算到目标年份难以实现目标，列为预警。",
            "其中%(n)d项进度虽不滞后，但按近年趋势推算到目标年份难以实现目标，列为预警。",
            warned,
        ) % {"n": warned}
    docx_parts.paragraph(document, sentence)
    header = [
        _("序号"),
        _("指标"),
        _("单位"),
        _("属性"),
        _("基期值\n（%(year)d年）") % {"year": plan.base_year},
        _("目标值"),
        _("实际值"),
        _("实际值年份"),
        _("完成情况"),
    ]
    rows = []
    for number, line in enumerate(data.main, start=1):
        a = line.assessment
        target = milestone(a.final)
        if a.final and a.final.year != plan.target_year:
            target += _("（%(year)d年）") % {"year": a.final.year}
        rows.append(
            [
                number,
                line.indicator.display_name,
                line.indicator.display_unit or "—",
                line.indicator.get_attribute_display() if line.indicator.attribute else "—",
                _value(line, a.baseline[1] if a.baseline else None),
                target,
                _value(line, a.latest[1] if a.latest else None),
                _("%(year)d年") % {"year": a.latest[0]} if a.latest else "—",
                line.completion,
            ]
        )
    document.numbers.caption(document, _("表"), _("主要指标完成情况（全省，截至%(year)d年）") % {"year": data.as_of})
    docx_parts.table(
        document,
        header,
        rows,
        widths=[1.0, 3.8, 1.2, 1.3, 2.2, 1.6, 1.6, 1.6, 2.2],
        status_column=8,
        statuses=[line.status for line in data.main],
        size=9,
    )
    docx_parts.paragraph(
        document,
        _(
            "注：实际值为截至评估年份最近一年审核通过的数据；完成情况按规划设定的进度阈值判断，目标年份前已达到"
            "最终目标的为“提前实现”。"
        )
        + warning_note()
        + words_note(),
        indent=False,
    ).runs[0].font.size = Pt(9)

    document.add_heading(_("（一）各地区指标进展状态"), level=2)
    docx_parts.paragraph(document, _("各地区按自身的分解目标判断；全省含全部指标，设区市及平潭仅含有分解目标的指标。"))
    docx_parts.picture(
        document,
        _picture_png(charts.status_by_district(data.status_counts())),
        _("各地区指标进展状态（截至%(year)d年）") % {"year": data.as_of},
    )
    document.add_heading(_("（二）主要指标进展趋势（全省）"), level=2)
    for line in data.main:
        if line.assessment.latest is None and line.assessment.final is None:
            continue
        chart = data.indicator_chart(line)
        docx_parts.picture(
            document,
            _picture_png(chart),
            _("%(name)s：%(word)s") % {"name": line.indicator.display_name, "word": line.completion},
        )


def districts_section(document, data):
    plan = data.plan
    document.add_heading(_("二、分地区完成情况"), level=1)
    indicators, years, rows = data.district_table
    if not indicators:
        docx_parts.paragraph(document, _("本规划没有分地区目标（附件2）。"))
        return
    docx_parts.paragraph(
        document,
        ngettext(
            "规划附件2对%(n)d项指标分解了各地区目标。截至%(year)d年各地区完成情况如下（完成情况按各地区自身的目标判断）。",
            "规划附件2对%(n)d项指标分解了各地区目标。截至%(year)d年各地区完成情况如下（完成情况按各地区自身的目标判断）。",
            len(indicators),
        )
        % {"n": len(indicators), "year": data.as_of},
    )
    comparison = data.district_charts()
    for number, indicator in enumerate(indicators, start=1):
        column = number - 1
        document.add_heading(writable(f"{_numbered(number)}{indicator.display_name}"), level=2)
        header = [_("地区"), _("基期值\n（%(year)d年）") % {"year": plan.base_year}]
        header += [_("%(year)d年\n目标") % {"year": y} for y in years] + [_("实际值"), _("完成情况")]
        table_rows, statuses = [], []
        for district, cells in rows:
            cell = cells[column]
            a = cell.assessment
            target_year = a.final.year if a and a.final else plan.target_year
            word = completion(a, target_year=target_year) if a else "—"
            actual = "—"
            if a and a.latest:
                actual = _("%(value)s（%(year)d年）") % {
                    "value": figure(a.latest[1], indicator.shown_decimals),
                    "year": a.latest[0],
                }
            table_rows.append(
                [
                    district.display_short_name,
                    figure(baseline, indicator.shown_decimals)
                    if (baseline := cell.baseline_shown) is not None
                    else "—",
                ]
                + [t.display if t else "—" for t in cell.targets]
                + [actual, word]
            )
            statuses.append(a.status if a else None)
        document.numbers.caption(
            document,
            _("表"),
            _("%(name)s分地区完成情况（%(unit)s）") % {"name": indicator.display_name, "unit": indicator.display_unit},
        )
        docx_parts.table(
            document, header, table_rows, status_column=len(header) - 1, statuses=statuses, size=9, left=()
        )
        chart = comparison[indicator.pk]
        if chart["data"] and any(trace.get("x") for trace in chart["data"]):
            docx_parts.picture(
                document,
                _picture_png(chart),
                _("%(name)s：各地区最新实际值与本地区目标") % {"name": indicator.display_name},
            )


def _numbered(number):
    """（一） in Chinese, (1) in English."""
    chinese = _("（%(number)s）").startswith("（")
    return _("（%(number)s）") % {"number": _chinese_number(number) if chinese else number}


def _chinese_number(number):
    digits = "零一二三四五六七八九"
    if number <= 10:
        return "十" if number == 10 else digits[number]
    if number < 20:
        return "十" + digits[number - 10]
    return digits[number // 10] + "十" + (digits[number % 10] if number % 10 else "")


def tasks_section(document, data):
    document.add_heading(_("三、主要任务推进情况"), level=1)
    labels = dict(TaskStatus.choices)
    words = [str(labels[t.report.status]) if t.report else _(NOT_REPORTED) for t in data.tasks]
    counted = Counter(words)
    order = [str(labels[s]) for s in TaskStatus.values] + [_(NOT_REPORTED)]
    parts = [_("%(word)s%(n)d项") % {"word": word, "n": counted[word]} for word in order if counted[word]]
    if data.tasks:
        docx_parts.paragraph(
            document,
            _("规划附件1共%(n)d项主要任务。截至%(year)d年，%(parts)s。进展状态取各任务截至该年最近一次年度报送。")
            % {"n": len(data.tasks), "year": data.as_of, "parts": _("，").join(parts)},
        )
    else:
        docx_parts.paragraph(document, _("本规划没有载入主要任务清单。"))
        return
    rows = []
    for line, word in zip(data.tasks, words, strict=True):
        task, report = line.task, line.report
        status = word
        if report and report.year != data.as_of:
            status += _("（%(year)d年）") % {"year": report.year}
        rows.append(
            [
                task.number,
                task.display_title or _("（原文缺失）"),
                task.department or "—",
                status,
                report.summary.strip() if report else "—",
            ]
        )
    document.numbers.caption(document, _("表"), _("主要任务推进情况"))
    docx_parts.table(
        document,
        [_("序号"), _("任务"), _("责任单位"), _("进展状态"), _("进展情况")],
        rows,
        widths=[1.0, 4.5, 2.8, 2.2, 5.5],
        size=9,
        left=(1, 4),
    )


def problems_section(document, data):
    document.add_heading(_("四、存在的主要问题"), level=1)
    if not data.problems:
        docx_parts.paragraph(document, _("截至%(year)d年，没有滞后、倒退或未实现的指标。") % {"year": data.as_of})
        return
    words = Counter(problem.line.word for problem in data.problems)
    parts = [_("%(word)s%(n)d项") % {"word": word, "n": words[word]} for word in word_order() if words[word]]
    docx_parts.paragraph(
        document,
        _(
            "截至%(year)d年，共有%(n)d项指标（按地区计）进展不及预期：%(parts)s。"
            "以下逐项列出实际情况及填报单位对最近一年数据填写的原因分析和整改措施。"
        )
        % {"year": data.as_of, "n": len(data.problems), "parts": _("，").join(parts)},
    )
    for number, problem in enumerate(data.problems, start=1):
        line = problem.line
        document.add_heading(
            writable(
                _("%(number)s%(name)s（%(district)s）：%(word)s")
                % {
                    "number": _numbered(number),
                    "name": line.indicator.display_name,
                    "district": line.district.display_name,
                    "word": line.completion,
                }
            ),
            level=2,
        )
        docx_parts.paragraph(document, str(line.assessment.explanation) + _("。"), bold_lead=_("进展情况："))
        docx_parts.paragraph(document, problem.reason or _("（未填写）"), bold_lead=_("原因分析："))
        docx_parts.paragraph(document, problem.measures or _("（未填写）"), bold_lead=_("整改措施："))


NEXT_STEPS = [
    (
        gettext_noop("（一）加快推进滞后指标"),
        gettext_noop("针对上文所列滞后、倒退和未实现的指标，提出具体措施、责任单位和完成时限。"),
    ),
    (gettext_noop("（二）巩固已实现指标"), gettext_noop("说明如何保持已实现和快于预期指标的成果，防止回落。")),
    (gettext_noop("（三）推进主要任务落实"), gettext_noop("针对未报送或进展滞后的主要任务，提出督促落实的安排。")),
    (gettext_noop("（四）完善监测评估机制"), gettext_noop("就数据报送、审核和年度监测提出改进建议。")),
]


def next_steps_section(document, data):
    document.add_heading(_("五、下一步工作建议"), level=1)
    if data.as_of == data.plan.target_year:
        docx_parts.placeholder(document, _("总结规划实施的主要经验，并对下一个五年规划的编制提出建议。"))
    for heading, prompt in NEXT_STEPS:
        document.add_heading(_(heading), level=2)
        docx_parts.placeholder(document, _(prompt))


def annex(document, data):
    """附表: every indicator's completion, landscape. Indicators only the province has targets for are listed with
    the province alone; the district table's, with every district (a 46 × 11 table was nine tenths dashes)."""
    section = document.add_section()
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.left_margin = section.right_margin = Cm(ANNEX_MARGIN)
    document.add_heading(_("附表 各地区指标完成情况"), level=1)
    docx_parts.paragraph(
        document,
        _(
            "截至%(year)d年，全部%(n)d项指标的完成情况：附表1为只有全省目标的指标，附表2为规划"
            "附件2分解到各地区的指标；“—”表示该地区既无目标也无数据。"
        )
        % {"year": data.as_of, "n": len(data.indicators)}
        + warning_note(),
        indent=False,
    )
    province = [d for d in data.districts if d.is_province]
    cities = [d for d in data.districts if not d.is_province]
    by_district = [i for i in data.indicators if any((i.pk, d.pk) in data.lines for d in cities)]
    alone = [i for i in data.indicators if i not in by_district]
    number = 0
    for caption, indicators, shown in (
        (_("只有全省目标的指标完成情况（截至%(year)d年）") % {"year": data.as_of}, alone, province),
        (_("分地区指标完成情况（截至%(year)d年）") % {"year": data.as_of}, by_district, province + cities),
    ):
        if not indicators:
            continue
        header = [_("序号"), _("出处"), _("指标")] + [d.display_short_name for d in shown]
        rows = []
        for indicator in indicators:
            number += 1
            row = [number, indicator.section, indicator.display_name]
            for district in shown:
                line = data.lines.get((indicator.pk, district.pk))
                row.append(line.completion if line else "—")
            rows.append(row)
        document.numbers.caption(document, _("附表"), caption)
        name = 5.0 if len(shown) > 1 else 12.0
        rest = (LANDSCAPE_TEXT_WIDTH - 1.0 - 1.4 - name) / len(shown)
        docx_parts.table(document, header, rows, widths=[1.0, 1.4, name] + [rest] * len(shown), size=7.5, left=(2,))
