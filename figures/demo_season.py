"""The demo's reporting season in progress (`load_demo`, when the demo accounts exist): the plan's final year open
with a deadline ten days ahead; Fuzhou's figures submitted, one approved by its city reviewer (waiting for the
province), one returned by the city, one waiting for it; Xiamen's (no city reviewer) submitted, one returned by
the province with a comment, one approved, one waiting; Quanzhou with drafts; the province's submitted. Every step
goes through the pipeline and the review module, so notices are made as in real life, and every figure is demo
data (`--remove` takes it out).

Each figure repeats the district's approved figure of the year before, so no rule of the plan needs confirming.
"""

import datetime

from django.contrib.auth import get_user_model

from figures import pipeline, review, rounds
from figures.models import DEMO_SOURCE, Observation, ReportingYear
from plans.chains import showing
from plans.models import District, Indicator

ACCOUNTS = ("reviewer", "reviewer2", "reviewer_fuzhou", "official", "official_fuzhou", "official_xiamen")
DEADLINE_DAYS = 10


def stage(plan):
    """Stage the season once; returns whether it did (not when the accounts are missing or it is staged)."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=ACCOUNTS + ("official_quanzhou",))}
    year = plan.target_year
    if not set(ACCOUNTS) <= set(users) or ReportingYear.objects.filter(plan=plan, year=year).exclude(deadline=None):
        return False
    deadline = min(rounds.today() + datetime.timedelta(days=DEADLINE_DAYS), datetime.date(year + 2, 12, 31))
    rounds.open_round(plan=plan, year=year, deadline=deadline, by=users["reviewer"])
    districts = {d.slug: d for d in District.objects.filter(slug__in=["province", "fuzhou", "xiamen", "quanzhou"])}

    # Fuzhou (three figures): one returned by its city, one approved by it (waiting for the province), one waiting
    # for the city.
    fuzhou = _enter(plan, users["official_fuzhou"], districts["fuzhou"], year, "submit")
    if len(fuzhou) >= 2:
        review.return_for_revision(
            observation=fuzhou[0], by=users["reviewer_fuzhou"], comment="与市统计年鉴口径不一致，请核对后重新提交。"
        )
        review.approve(observation=fuzhou[1], by=users["reviewer_fuzhou"], comment="市级已核")
    # Xiamen (no city reviewer): one returned by the province, one approved, the rest waiting for the province.
    xiamen = _enter(plan, users["official_xiamen"], districts["xiamen"], year, "submit")
    if len(xiamen) >= 2:
        review.return_for_revision(observation=xiamen[0], by=users["reviewer2"], comment="请补充数据来源。")
        review.approve(observation=xiamen[1], by=users["reviewer"])

    if "official_quanzhou" in users:
        _enter(plan, users["official_quanzhou"], districts["quanzhou"], year, "save", limit=2)
    _enter(plan, users["official"], districts["province"], year, "submit", limit=5)
    return True


def _enter(plan, user, district, year, action, *, limit=None):
    """The district's figures of `year`, each as its approved figure of the year before, saved or submitted."""
    indicators = list(Indicator.objects.for_plan(plan).reported_by(district).order_by("order", "code"))
    shown_as = showing(indicators)
    last_year = {
        shown_as[o.indicator_id]: o.value
        for o in Observation.objects.approved().filter(indicator__in=list(shown_as), district=district, year=year - 1)
    }
    chosen = [i for i in indicators if i.pk in last_year]
    chosen = chosen[:limit] if limit else chosen
    rows = [
        pipeline.Row(
            indicator=i,
            district=district,
            year=year,
            value=last_year[i.pk],
            note=DEMO_SOURCE,
            source=DEMO_SOURCE,
            reason=DEMO_SOURCE,
            measures=DEMO_SOURCE,
            confirm=True,
            action=action,
            key=i.code,
        )
        for i in chosen
    ]
    if not rows:
        return []
    outcome = pipeline.write(pipeline.Batch(rows, demo=True, change_reason=DEMO_SOURCE), by=user)
    outcome.raise_problems()
    return outcome.changed
