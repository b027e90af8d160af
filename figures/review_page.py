"""What the review page shows beside each submitted figure: the target, the status it would give once approved,
the change from the latest earlier approved figure, and whether it stands out (`figures.outliers`). A fixed
number of queries: three per reporting year on the page (`assess`), one for the earlier figures, three for the
outliers."""

from decimal import Decimal

from figures import outliers
from figures.assessments import assess
from figures.models import Observation
from plans.chains import showing
from plans.models import Indicator


def annotate(plan, pending):
    """Set `assessment`, `previous_year`, `previous_value`, `change` and `outliers` (a list of
    `figures.outliers.Outlier`) on each of the `pending` figures (a list)."""
    if not pending:
        return pending
    # A figure stored for a continuing indicator is judged as the plan's own indicator (README).
    shown_as = {}
    if any(o.indicator.plan_id != plan.pk for o in pending):
        continuing = Indicator.objects.filter(plan=plan, continues__isnull=False)
        shown_as = showing(continuing)
    judged = {o.pk: shown_as.get(o.indicator_id, o.indicator_id) for o in pending}
    indicators = set(judged.values())
    districts = {o.district_id for o in pending}
    for year in sorted({o.year for o in pending}):
        # Judged as if approved: this year's figure, and the earlier years' still pending ones with it.
        candidates = {}
        for o in pending:
            if o.year <= year:
                candidates.setdefault((judged[o.pk], o.district_id), {})[o.year] = o.value
        verdicts = assess(plan, as_of=year, indicators=indicators, districts=districts, candidates=candidates)
        for o in pending:
            if o.year == year:
                o.assessment = verdicts.get((judged[o.pk], o.district_id))
    indicators = {o.indicator_id for o in pending}
    earlier = {}
    approved = Observation.objects.approved().filter(
        indicator__in=indicators, district__in=districts, year__lt=max(o.year for o in pending)
    )
    for indicator_id, district_id, year, value in approved.order_by("year").values_list(
        "indicator_id", "district_id", "year", "value"
    ):
        earlier.setdefault((indicator_id, district_id), []).append((year, value))
    for o in pending:
        before = [(y, v) for y, v in earlier.get((o.indicator_id, o.district_id), []) if y < o.year]
        o.previous_year, o.previous_value = before[-1] if before else (None, None)
        # Rounded like the figures themselves: SQLite hands decimals back through floats.
        o.change = None if o.previous_value is None else (o.value - o.previous_value).quantize(Decimal("0.0001"))
    flagged = outliers.find(plan, [(judged[o.pk], o.district_id, o.year, o.value) for o in pending])
    for o in pending:
        o.outliers = flagged.get((judged[o.pk], o.district_id, o.year), [])
    return pending
