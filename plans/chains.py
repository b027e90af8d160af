"""The `continues` chains of indicators as SQL and in batches: on which indicator a figure two plans share is
stored (the first of its chain, README "Figures two plans share"), and which indicators share it.

`Indicator.statistic` says it for one indicator; these functions say it for many at once, in a query or two.
"""

from django.db import connection
from django.db.models.expressions import RawSQL

from plans.models import Indicator


def statistics(indicators):
    """{indicator id: id of the indicator its figures are stored on}: the batch form of `Indicator.statistic`.

    `indicators` are Indicator rows or (id, continues id) pairs. One query per link of the longest chain beyond
    the rows given; none when nothing continues (every plan but a continuing one)."""
    parent = {}
    for item in indicators:
        pk, continues = (item.pk, item.continues_id) if isinstance(item, Indicator) else item
        parent[pk] = continues
    asked = list(parent)
    pending = {c for c in parent.values() if c is not None and c not in parent}
    while pending:
        found = dict(Indicator.objects.filter(pk__in=pending).order_by().values_list("pk", "continues_id"))
        parent.update(found)
        pending = {c for c in found.values() if c is not None and c not in parent}

    def root(pk):
        seen = {pk}
        # A circle is refused wherever a continuation is made (Indicator.chain_problem); stop on one all the same.
        while parent.get(pk) is not None and parent[pk] not in seen:
            pk = parent[pk]
            seen.add(pk)
        return pk

    return {pk: root(pk) for pk in asked}


def chains_sql(where, params, select):
    """SQL over the `continues` chains of the indicators `where` picks (a condition on the indicator table):
    `up` (asked, id, continues_id) walks from each of them to the first indicator of its chain, `down` (asked, id,
    plan_id) from there to every indicator of the chain. One query however long the chains (a recursive common
    table expression, which SQLite and PostgreSQL both run, also as a subquery)."""
    table = Indicator._meta.db_table
    sql = f"""
        WITH RECURSIVE up(asked, id, continues_id) AS (
            SELECT id, id, continues_id FROM {table} WHERE {where}
            UNION SELECT up.asked, i.id, i.continues_id FROM {table} i JOIN up ON i.id = up.continues_id
        ), down(asked, id, plan_id) AS (
            SELECT up.asked, i.id, i.plan_id FROM up JOIN {table} i ON i.id = up.id WHERE up.continues_id IS NULL
            UNION SELECT down.asked, i.id, i.plan_id FROM {table} i JOIN down ON i.continues_id = down.id
        )
        {select}"""
    return sql, list(params)


def among(ids):
    """`chains_sql`'s `where` and `params` for the chains of these indicator ids."""
    ids = [int(pk) for pk in ids]
    return f"id IN ({', '.join(['%s'] * len(ids))})", ids


def sharing(indicator_ids):
    """{indicator id: {id: plan id} of every indicator that shares its figures with it, itself included}.
    One query."""
    found = {pk: {} for pk in indicator_ids}
    if not found:
        return found
    sql, params = chains_sql(*among(found), "SELECT asked, id, plan_id FROM down")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for asked, pk, plan_id in cursor.fetchall():
            found[asked][pk] = plan_id
    return found


def sharing_sql(indicator):
    """The ids of every indicator sharing its figures with `indicator`, as a subquery for filters."""
    return RawSQL(*chains_sql("id = %s", [indicator.pk], "SELECT id FROM down"))


def showing(indicators):
    """{id of the indicator figures are stored on: id of the given indicator showing them}, `statistics` turned
    round, for reading stored figures back as a plan's own indicators."""
    return {storage: pk for pk, storage in statistics(indicators).items()}


def statistics_of_continuing_sql(plan):
    """The ids of the indicators the figures of `plan`'s continuing indicators are stored on, as a subquery."""
    where = "plan_id = %s AND continues_id IS NOT NULL"
    return RawSQL(*chains_sql(where, [plan.pk], "SELECT id FROM up WHERE continues_id IS NULL"))
