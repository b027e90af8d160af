"""The plan's evaluation report (规划实施评估报告) as a Word document an official finishes in Word or WPS.

A 中期评估 for an as-of year before the plan's target year, the 总结评估 for the target year. Nothing here judges
progress: the statuses are `Plan.assess`'s, put into the words evaluation reports use (`evaluation_words.py`, the
one place that maps planboard's status codes to them), and the charts are `charts.py`'s figure dicts drawn as images
by `chart_images`. `evaluation_data.gather` reads everything in a fixed number of queries; `write_document` lays
it out with `docx_parts` section by section (`evaluation_sections`).
"""

import io

from django.utils.translation import gettext as _
from docx import Document

from exports import docx_parts, evaluation_sections
from exports.evaluation_data import evaluation_kind, gather, main_indicators


def build_evaluation(plan, as_of, *, pick_main=main_indicators):
    """The evaluation report of `plan` as of the year `as_of`, as .docx bytes."""
    if not plan.base_year < as_of <= plan.target_year:
        raise ValueError(f"截至年份须在 {plan.base_year + 1} 至 {plan.target_year} 之间。")
    return write_document(gather(plan, as_of, pick_main=pick_main))


def title(data):
    return title_for(data.plan, data.as_of)


def title_for(plan, as_of):
    """福建省“十四五”教育发展专项规划实施中期评估报告."""
    return _("%(plan)s实施%(kind)s报告") % {"plan": plan.name, "kind": evaluation_kind(plan, as_of)}


def write_document(data):
    """The .docx bytes of gathered `EvaluationData`; no queries."""
    document = Document()
    document.numbers = docx_parts.Numbers()
    docx_parts.set_up(document, title(data))
    for section in (
        evaluation_sections.title_page,
        evaluation_sections.indicators_section,
        evaluation_sections.districts_section,
        evaluation_sections.tasks_section,
        evaluation_sections.problems_section,
        evaluation_sections.next_steps_section,
        evaluation_sections.annex,
    ):
        section(document, data)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
