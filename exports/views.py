"""The export page and the Excel report download."""

import tempfile

from django.http import FileResponse
from django.shortcuts import render

from dashboards import overviews
from dashboards.cache import data_version
from exports import excel_report
from plans.shortcuts import require


def export_form(request):
    require(request.user, "figures.export_report")
    plan = request.plan
    districts = overviews.visible_districts(request)
    context = {
        "plan": plan,
        "years": overviews.years(plan),
        "year": overviews.chosen_year_or_404(plan, request.GET.get("year"), version=data_version(request)),
        "districts": districts,
    }
    return render(request, "exports/export_form.html", context)


def export_report(request):
    require(request.user, "figures.export_report")
    plan = request.plan
    year = overviews.chosen_year_or_404(plan, request.GET.get("year"), version=data_version(request))
    code = request.GET.get("district")
    district = overviews.chosen_district(overviews.visible_districts(request), code) if code else None
    out = tempfile.TemporaryFile()
    excel_report.write_report(out, plan=plan, user=request.user, year=year, district=district)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=excel_report.report_filename(plan, year, district))
