"""The read side's pages: the dashboard, an indicator, a district, and the Excel report."""

from django.shortcuts import get_object_or_404, render

from dashboards import overviews, panorama
from dashboards.cache import TIMEOUT, cached, data_version, key
from dashboards.tables import ValuesTable
from plans import review_flags
from plans.models import Indicator
from plans.statuses import STATUS_ORDER


def by_section(rows):
    """Rows in the plan's order with each section's rows together (附件2 is listed in two places), so the table
    shows every section once, where it first appears."""
    first = {}
    for number, row in enumerate(rows):
        first.setdefault(row.indicator.section, number)
    return sorted(rows, key=lambda row: first[row.indicator.section])


def _page_context(plan, district, year, visible):
    """What every progress page shows around its content: the plan, the district and year chosen, and the choices."""
    return {"plan": plan, "district": district, "year": year, "years": overviews.years(plan), "districts": visible}


def _district_rows(verdicts, district):
    """One district's indicators as the dashboard and the district page list them, with the counts by status."""
    return {"rows": by_section(verdicts.rows(district)), "counts": verdicts.counts(district)}


def _fragment(name, inputs):
    """Where the page's rendered content (or its longest table) is cached, under the same inputs as its rows: it holds
    nothing of the user's own beyond the districts he may see, and rendering it cost more than computing it."""
    return {"fragment_key": key(name, **inputs), "cache_timeout": TIMEOUT}


def dashboard(request):
    plan = request.plan
    visible = overviews.visible_districts(request.user)
    district = overviews.chosen_district(visible, request.GET.get("district"))
    version = data_version()
    counted = overviews.counted_pairs(plan, version)
    year = overviews.chosen_year_or_404(plan, request.GET.get("year"), counted)

    inputs = {"version": version, "plan": plan, "as_of": year, "districts": visible, "extra": [district.pk]}

    def compute():
        verdicts = overviews.PlanProgress(plan, as_of=year, districts=[district])
        overview = overviews.StatusOverview(plan, as_of=year, districts=visible)
        statuses, status_rows = overview.table()
        return {
            **_district_rows(verdicts, district),
            "warnings": verdicts.warnings(district),
            "status_chart": overview.chart(),
            "chart_statuses": statuses,
            "chart_rows": status_rows,
        }

    context = {
        **_page_context(plan, district, year, visible),
        "completeness": overviews.completeness(plan, year, counted),
        **cached("dashboard", compute, **inputs),
        **_fragment("dashboard-page", inputs),
    }
    return render(request, "dashboards/dashboard.html", context)


def indicator_detail(request, code):
    plan = request.plan
    indicator = get_object_or_404(Indicator.objects.select_related("task"), plan=plan, code=code)
    visible = overviews.visible_districts(request.user)
    district = overviews.chosen_district(visible, request.GET.get("district"))
    version = data_version()
    year = overviews.chosen_year_or_404(plan, request.GET.get("year"), version=version)

    def compute():
        report = overviews.IndicatorProgress(plan, indicator, as_of=year, districts=visible)
        return {
            "assessment": report.assessment(district),
            "path": report.path(district),
            "chart": report.chart(district),
            "comparison": report.comparison(),
            "comparison_chart": report.comparison_chart(),
            "method": report.method(district),
            "report": report,
        }

    inputs = {"version": version, "plan": plan, "as_of": year, "districts": visible}
    context = {
        **_page_context(plan, district, year, visible),
        "indicator": indicator,
        **cached("indicator", compute, **inputs, extra=[indicator.pk, district.pk]),
        # Every district's figures (a row each; 1,000 on a national plan) whatever the district chosen.
        **_fragment("indicator-districts", {**inputs, "extra": [indicator.pk]}),
    }
    context["table"] = ValuesTable.for_indicator(context.pop("report"))
    context["decimals"] = indicator.shown_decimals
    context["missing_facts"] = review_flags.missing("indicators", review_flags.fields_of(indicator, "indicators"))
    return render(request, "dashboards/indicator_detail.html", context)


def district_detail(request, code):
    plan = request.plan
    visible = overviews.visible_districts(request.user)
    district = overviews.chosen_district(visible, code)
    version = data_version()
    year = overviews.chosen_year_or_404(plan, request.GET.get("year"), version=version)

    inputs = {"version": version, "plan": plan, "as_of": year, "districts": [district]}

    def compute():
        verdicts = overviews.PlanProgress(plan, as_of=year, districts=[district])
        return _district_rows(verdicts, district)

    context = {
        **_page_context(plan, district, year, visible),
        **cached("district", compute, **inputs),
        **_fragment("district-table", inputs),
    }
    return render(request, "dashboards/district_detail.html", context)


def plan_overview(request):
    """规划期全景: a district's indicators × the plan's years, each figure coloured by that year's status."""
    plan = request.plan
    visible = overviews.visible_districts(request.user)
    district = overviews.chosen_district(visible, request.GET.get("district"))
    query = request.GET.get("q", "").strip()[:100]
    years, lines = panorama.lines(plan, district, panorama.search(plan, district, query))
    context = {"plan": plan, "district": district, "districts": visible, "query": query, "years": years}
    context["statuses"] = [s for s in STATUS_ORDER if s != "no_target"]
    return render(request, "dashboards/plan_overview.html", {**context, "lines": lines})
