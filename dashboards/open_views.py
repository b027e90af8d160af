"""Open data (README, "Publishing a plan's figures"): a published plan's indicators and approved figures for anyone,
without logging in. An unpublished plan has none of these pages (404)."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from dashboards import open_data
from plans.models import Indicator


def _public(view):
    return require_safe(login_not_required(view))


@_public
def plan_page(request, plan_code):
    plan = open_data.published_plan_or_404(plan_code)
    published = open_data.OpenPlan(plan)
    context = {"plan": plan, "tables": published.tables()}
    return render(request, "dashboards/open_plan.html", context)


@_public
def indicator_csv(request, plan_code, code):
    """One indicator's approved figures, as the data package's `figures` table has them."""
    plan = open_data.published_plan_or_404(plan_code)
    indicator = Indicator.objects.filter(plan=plan, code=code).first()
    if indicator is None:
        raise Http404
    return _csv(open_data.OpenPlan(plan, indicator=indicator).csv("figures"), f"{plan.code}-{indicator.code}.csv")


@_public
def table_csv(request, plan_code, table):
    """A table of the data package: indicators, figures or targets."""
    plan = open_data.published_plan_or_404(plan_code)
    if table not in open_data.TABLES:
        raise Http404
    return _csv(open_data.OpenPlan(plan).csv(table), f"{plan.code}-{table}.csv")


@_public
def data_package(request, plan_code):
    plan = open_data.published_plan_or_404(plan_code)
    base = reverse("dashboards:open-plan", args=[plan.code])
    # Paths relative to datapackage.json, which sits beside them.
    urls = {table: reverse("dashboards:open-table", args=[plan.code, table])[len(base) :] for table in open_data.TABLES}
    descriptor = open_data.data_package(plan, urls)
    return JsonResponse(descriptor, json_dumps_params={"ensure_ascii": False, "indent": 2})


def _csv(text, filename):
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
