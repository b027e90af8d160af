"""Year locks: which years' figures, and which years of a plan, can no longer change, and what a refusal says.

A reviewer locks a plan's reporting year (`review.lock_year`); locking the final year closes the plan
(`Plan.closes`). Every writer and every page that offers or refuses a change asks here.
"""

from collections import defaultdict

from django.db import connection
from django.utils.translation import gettext as _

from plans.chains import among, chains_sql
from plans.models import Plan, closed_years


def locked_years(indicator_ids):
    """{indicator id: the years in which its figures can no longer change}, the one rule for locks: a year locked
    in a plan locks its figures and, for a figure two plans share, in either plan (README, "Figures two plans
    share"). One query, as many as the plan's own locks took before plans shared figures."""
    found = defaultdict(set)
    if not indicator_ids:
        return found
    # ReportingYear (figures/models.py) by its relation: the models of figures ask who sees what here.
    years = Plan._meta.get_field("reporting_years").related_model._meta.db_table
    plans = Plan._meta.db_table
    select = (
        f"SELECT down.asked, r.year, p.base_year, p.target_year FROM down"
        f" JOIN {years} r ON r.plan_id = down.plan_id JOIN {plans} p ON p.id = down.plan_id WHERE r.locked = %s"
    )
    sql, params = chains_sql(*among(indicator_ids), select)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, True])
        for pk, year, base_year, target_year in cursor.fetchall():
            found[pk].add(year)
            if year == target_year:
                # A closed plan (Plan.closes) locks all its years, for a figure it shares with another plan too.
                found[pk].update(closed_years(base_year, target_year))
    return found


def locked_plan_years(plan, indicator_ids=(), *, locked=None):
    """The years of `plan` a page calls locked: every one of its years once it is closed, and those in which
    every figure of `indicator_ids` is locked (`locked_years`: by the plan's own lock, or by another plan that
    shares them). Without indicators, the plan's own locks: what locks its task reports, which no plan shares.
    `locked`: `locked_years(indicator_ids)`, when the caller has read it already."""
    if indicator_ids:
        locked = locked_years(indicator_ids) if locked is None else locked
        years = set.intersection(*(set(locked[pk]) for pk in indicator_ids))
        closed = plan.is_read_only()
    else:
        years = set(plan.reporting_years.filter(locked=True).values_list("year", flat=True))
        closed = plan.is_read_only(years)
    return years | set(closed_years(plan.base_year, plan.target_year)) if closed else years


def locked_message(year):
    """What a refused change in a locked year says."""
    return _("%(year)d年度已锁定，数据不能再修改。") % {"year": year}
