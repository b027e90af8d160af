"""The reporting season's pages: 待办 and its notices, a year's round (deadline), 填报进度 (page, Excel, API)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from figures import access, notices, rounds, timeliness, todo
from figures.api_base import api_view, iso_time
from plans.shortcuts import requested_plan, year_or_404


def start(request):
    """Where a login lands: 待办 for officials and reviewers, the dashboard for everyone else."""
    return redirect("season:todo" if todo.has_work(request.user) else "dashboards:dashboard")


def todo_page(request):
    return render(request, "figures/todo.html", todo.page(request.plan, request.user))


@require_POST
def notice_read(request, pk):
    notices.mark_read(user=request.user, pk=pk)
    return redirect("season:todo")


@require_POST
def notices_read(request):
    notices.mark_all_read(user=request.user)
    return redirect("season:todo")


@require_POST
def year_round(request, year):
    """Open a year for reporting with a deadline, or move the deadline (the 年度 page's form)."""
    try:
        rounds.open_round(plan=request.plan, year=year, deadline=request.POST.get("deadline"), by=request.user)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
    else:
        messages.success(request, _("%(year)d年已开启填报，截止日期已保存。") % {"year": year})
    return redirect("figures:year-locks")


def _timeliness(request):
    if not (access.sees_every_district(request.user) or access.level_of(request.user)):
        raise PermissionDenied(_("只有领导和审核员可以查看填报进度。"))
    plan = requested_plan(request) if request.path.startswith("/api/") else request.plan
    years = timeliness.years_of(plan)
    if not years:
        raise PermissionDenied(_("没有可填报的年度。"))
    year = year_or_404(request.GET.get("year"), years, default=years[-1])
    by_year, totals = timeliness.table(plan, access.visible_districts(request.user), years)
    return plan, years, year, by_year, totals


def timeliness_page(request):
    plan, years, year, by_year, totals = _timeliness(request)
    deadline = rounds.deadlines(plan, [year]).get(year)
    history = [(row, [by_year[y][i] for y in years]) for i, row in enumerate(by_year[year])]
    context = {
        "plan": plan,
        "years": years,
        "year": year,
        "rows": by_year[year],
        "total": totals[year],
        "totals": [totals[y] for y in years],
        "history": history,
        "deadline": deadline,
    }
    return render(request, "figures/timeliness.html", context)


def timeliness_xlsx(request):
    plan, _years, year, by_year, totals = _timeliness(request)
    response = HttpResponse(
        timeliness.workbook(plan, by_year, totals, year),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="timeliness-{plan.code}-{year}.xlsx"'
    return response


def _row_json(row):
    return {
        "due": row.due,
        "entered": row.entered,
        "submitted": row.submitted,
        "city_approved": row.city_approved,
        "approved": row.approved,
        "on_time": row.on_time,
        "late": row.late,
        "reporting_rate": row.reporting_rate,
        "on_time_rate": row.on_time_rate,
        "last_activity": iso_time(row.last_activity),
    }


@api_view(methods=("GET",))
def timeliness_api(request):
    plan, years, year, by_year, totals = _timeliness(request)
    deadline = rounds.deadlines(plan, [year]).get(year)
    return JsonResponse(
        {
            "plan": plan.code,
            "year": year,
            "deadline": deadline.isoformat() if deadline else None,
            "province": _row_json(totals[year]),
            "districts": [{"district": r.district.code, **_row_json(r)} for r in by_year[year]],
            "years": [{"year": y, **_row_json(totals[y])} for y in years],
        },
        json_dumps_params={"ensure_ascii": False},
    )
