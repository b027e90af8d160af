"""The evaluation report (规划实施评估报告) as a Word download."""

import io

from django.http import FileResponse
from django.utils.translation import gettext as _

from dashboards import overviews
from dashboards.cache import data_version
from exports import evaluation
from plans.shortcuts import require

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def filename(plan, year):
    return _("%(title)s（截至%(year)d年）.docx") % {"title": evaluation.title_for(plan, year), "year": year}


def export_evaluation(request):
    """GET ?year=Y: the current plan's evaluation as of Y. It covers every district, so it needs both rights."""
    require(request.user, "figures.export_report")
    require(request.user, "figures.view_all_districts")
    plan = request.plan
    year = overviews.chosen_year_or_404(plan, request.GET.get("year"), version=data_version(request))
    document = evaluation.build_evaluation(plan, year)
    return FileResponse(io.BytesIO(document), as_attachment=True, filename=filename(plan, year), content_type=DOCX)
