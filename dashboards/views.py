"""The read side's pages: the dashboard, an indicator, a district, and the Excel report."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

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


# Up to this many districts the chooser is a dropdown (Fujian has 11); beyond, a box that suggests names as one
# types: a thousand entries are hard to scroll through on a phone, and costly to render on every request.
DROPDOWN_DISTRICTS = 50


def _district_choices(plan, visible, version):
    """What the district chooser needs: the districts, and whether it is a search box, whose suggestions (the same
    for every chosen district) are rendered once per data version."""
    if len(visible) <= DROPDOWN_DISTRICTS:
        return {"districts": visible, "district_search": False}
    choices_key = key("district-choices", version=version, plan=plan, districts=visible.pks)
    return {"districts": visible, "district_search": True, "choices_key": choices_key, "cache_timeout": TIMEOUT}


def _page_context(plan, district, year, visible, version):
    """What every progress page shows around its content: the plan, the district and year chosen, and the choices."""
    context = {"plan": plan, "district": district, "year": year, "years": overviews.years(plan)}
    return {**context, **_district_choices(plan, visible, version)}


def _district_rows(verdicts, district):
    """One district's indicators as the dashboard and the district page list them, with the counts by status."""
    return {"rows": by_section(verdicts.rows(district)), "counts": verdicts.counts(district)}


def _fragment(name, inputs):
    """Where the page's rendered content (or its longest table) is cached, under the same inputs as its rows: it holds
    nothing of the user's own beyond the districts he may see, and rendering it cost more than computing it."""
    return {"fragment_key": key(name, **inputs), "cache_timeout": TIMEOUT}


def dashboard(request):
    plan = request.plan
    visible = overviews.visible_districts(request)
    district = overviews.chosen_district(visible, request.GET.get("district"))
    version = data_version(request)
    counted = overviews.counted_pairs(plan, version)
    year = overviews.chosen_year_or_404(plan, request.GET.get("year"), counted)

    inputs = {"version": version, "plan": plan, "as_of": year, "districts": visible.pks, "extra": [district.pk]}

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
        **_page_context(plan, district, year, visible, version),
        "completeness": overviews.completeness(plan, year, counted),
        # Computed only when the page's rendered content is not in the cache: it is all the page shows of it.
        "computed": SimpleLazyObject(compute),
        **_fragment("dashboard-page", inputs),
    }
    return render(request, "dashboards/dashboard.html", context)


def indicator_detail(request, code):
    plan = request.plan
    indicator = get_object_or_404(Indicator.objects.select_related("task"), plan=plan, code=code)
    visible = overviews.visible_districts(request)
    district = overviews.chosen_district(visible, request.GET.get("district"))
    version = data_version(request)
    year = overviews.chosen_year_or_404(plan, request.GET.get("year"), version=version)

    # Every visible district's verdicts and figures (1,000 on a national plan): read only when the chosen district's
    # verdict or the rendered comparison and table of every district are not in the cache.
    report = SimpleLazyObject(lambda: overviews.IndicatorProgress(plan, indicator, as_of=year, districts=visible))

    def compute():
        return {
            "assessment": report.assessment(district),
            "path": report.path(district),
            "chart": report.chart(district),
            "method": report.method(district),
        }

    def every_district():
        return {
            "comparison": report.comparison(),
            "comparison_chart": report.comparison_chart(),
            "table": ValuesTable.for_indicator(report),
        }

    inputs = {"version": version, "plan": plan, "as_of": year, "districts": visible.pks}
    context = {
        **_page_context(plan, district, year, visible, version),
        "indicator": indicator,
        **cached("indicator", compute, **inputs, extra=[indicator.pk, district.pk]),
        "every_district": SimpleLazyObject(every_district),
        **_fragment("indicator-districts", {**inputs, "extra": [indicator.pk]}),
    }
    context["decimals"] = indicator.shown_decimals
    context["missing_facts"] = review_flags.missing("indicators", review_flags.fields_of(indicator, "indicators"))
    return render(request, "dashboards/indicator_detail.html", context)


def district_detail(request, code):
    plan = request.plan
    visible = overviews.visible_districts(request)
    if request.GET.get("district", code) != code:
        # The chooser's search box (beyond DROPDOWN_DISTRICTS) asks for another district by ?district=.
        other = overviews.chosen_district(visible, request.GET["district"])
        query = request.GET.copy()
        del query["district"]
        return redirect(f"{reverse('dashboards:district', args=[other.code])}?{query.urlencode()}")
    district = overviews.chosen_district(visible, code)
    version = data_version(request)
    year = overviews.chosen_year_or_404(plan, request.GET.get("year"), version=version)

    inputs = {"version": version, "plan": plan, "as_of": year, "districts": [district]}

    def compute():
        verdicts = overviews.PlanProgress(plan, as_of=year, districts=[district])
        return _district_rows(verdicts, district)

    context = {
        **_page_context(plan, district, year, visible, version),
        **cached("district", compute, **inputs),
        **_fragment("district-table", inputs),
    }
    return render(request, "dashboards/district_detail.html", context)


def plan_overview(request):
    """规划期全景: a district's indicators × the plan's years, each figure coloured by that year's status."""
    plan = request.plan
    visible = overviews.visible_districts(request)
    district = overviews.chosen_district(visible, request.GET.get("district"))
    query = request.GET.get("q", "").strip()[:100]
    years, lines = panorama.lines(plan, district, panorama.search(plan, district, query))
    context = {"plan": plan, "district": district, "query": query, "years": years}
    context.update(_district_choices(plan, visible, data_version(request)))
    context["statuses"] = [s for s in STATUS_ORDER if s != "no_target"]
    return render(request, "dashboards/plan_overview.html", {**context, "lines": lines})
