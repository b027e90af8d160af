"""What the review page shows beside each submitted figure: the target, the status it would give once approved,
and the change from the latest earlier approved figure. A fixed number of queries: three per reporting year
on the page (`assess`), one for the earlier figures."""

from decimal import Decimal

from figures.assessments import assess
from figures.models import Observation


def annotate(plan, pending):
    """Set `assessment`, `previous_year`, `previous_value` and `change` on each of the `pending` figures (a list)."""
    if not pending:
        return pending
    indicators = {o.indicator_id for o in pending}
    districts = {o.district_id for o in pending}
    for year in sorted({o.year for o in pending}):
        # Judged as if approved: this year's figure, and the earlier years' still pending ones with it.
        candidates = {}
        for o in pending:
            if o.year <= year:
                candidates.setdefault((o.indicator_id, o.district_id), {})[o.year] = o.value
        verdicts = assess(plan, as_of=year, indicators=indicators, districts=districts, candidates=candidates)
        for o in pending:
            if o.year == year:
                o.assessment = verdicts.get((o.indicator_id, o.district_id))
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
    return pending
