"""The evaluation report as a download, ready for the integrator to route (e.g. export/evaluation.docx?year=2023).

Not yet in `urls.py`: this module only adds the view. The report covers every district, so it needs both
exporting and seeing all districts (leaders, reviewers and analysts have both).
"""

import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from indicators import evaluation, reports
from indicators.models import Plan

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def filename(plan, year):
    return f"{evaluation.title_for(plan, year)}（截至{year}年）.docx"


def export_evaluation(request):
    """GET ?year=Y: the .docx of the current plan's evaluation as of Y (default: the latest year with figures)."""
    user = request.user
    if not (user.has_perm("indicators.export_report") and user.has_perm("indicators.view_all_districts")):
        raise PermissionDenied(_("您的角色没有此权限。"))
    plan = Plan.objects.current()
    if plan is None:
        raise Http404("尚未载入规划。")
    try:
        year = reports.chosen_year(plan, request.GET.get("year"))
    except ValidationError:
        raise Http404("没有该年份。") from None
    document = evaluation.build_evaluation(plan, year)
    return FileResponse(io.BytesIO(document), as_attachment=True, filename=filename(plan, year), content_type=DOCX)
