"""数据质量: the page, its Excel workbook and its API (docs/api.md); `figures/quality.py` computes them."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from figures import quality, timeliness
from figures.api import paginate
from figures.api_base import api_view, json_response, number
from plans.shortcuts import requested_plan, year_or_404


def _report(request, *, api=False):
    if not quality.may_see(request.user):
        raise PermissionDenied(_("只有领导和省级审核员等可查看所有地区的用户可以查看数据质量。"))
    plan = requested_plan(request) if api else request.plan
    years = timeliness.years_of(plan)
    if not years:
        raise Http404(_("没有该年份。"))
    year = year_or_404(request.GET.get("year"), years, default=years[-1])
    return years, quality.report(plan, year, request.user)


def quality_page(request):
    years, data = _report(request)
    return render(request, "figures/quality.html", {"plan": data.plan, "years": years, "year": data.year, "data": data})


def quality_xlsx(request):
    _years, data = _report(request)
    response = HttpResponse(
        quality.workbook(data), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="quality-{data.plan.code}-{data.year}.xlsx"'
    return response


def _json(value):
    """Numbers as JSON numbers (docs/api.md): Decimals by `number`, floats as they are."""
    if hasattr(value, "to_integral_value"):
        return number(value)
    return value


@api_view(methods=("GET",))
@translation.override(settings.LANGUAGE_CODE)  # the API's texts are Chinese (docs/api.md)
def quality_api(request):
    _years, data = _report(request, api=True)
    counted = data.counted
    return json_response(
        {
            "plan": data.plan.code,
            "year": data.year,
            "sections": [{"key": s.key, "title": s.title, "count": len(s.rows)} for s in data.sections],
            "districts": [
                {"district": d.code, **{s.key: n for s, n in zip(counted, counts, strict=True)}}
                for d, counts in data.district_counts()
            ],
        }
    )


@api_view(methods=("GET",))
@translation.override(settings.LANGUAGE_CODE)
def quality_section_api(request, section):
    _years, data = _report(request, api=True)
    found = next((s for s in data.sections if s.key == section), None)
    if found is None:
        raise Http404(_("没有这一部分。"))
    page = paginate(request, found.rows)
    rows = page.pop("items")
    return json_response({**page, section: [{k: _json(v) for k, v in row.items()} for row in rows]})
