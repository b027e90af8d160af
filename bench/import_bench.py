"""Time an import of 10,000 figures through the one write path (`pipeline.import_rows`, as `import_values` does).

    .venv/bin/python bench/import_bench.py              # 10,000 rows into a throwaway SQLite database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/planboard_import .venv/bin/python bench/import_bench.py
        the same on an empty PostgreSQL database (created by you; it is filled, then left as it is)

The database gets a synthetic plan (`generate_scale`: 20 indicators x 400 districts, baselines only), then one
approved figure per indicator, district and year 2021-2025 near its baseline is imported in one transaction:
every row is validated, checked for permission, stored with its history, and the statuses refreshed.

The plan has three rules between indicators shaped as the 十四五 plan's shipped ones (a total against the sum of
three parts, two against one; for every district), which the figures keep: 8 of the 20 indicators' rows are
judged against them (`--no-rules` leaves them out, to compare).
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--no-rules", action="store_true", help="without the plan's rules between indicators")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/import.sqlite3")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planboard.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from figures import pipeline
    from figures.models import Observation
    from figures.plan_loading import system_user
    from plans.models import Indicator, Plan

    call_command("migrate", verbosity=0)
    districts = -(-args.rows // (20 * 5))  # 20 indicators x 5 years per district
    call_command("generate_scale", indicators=20, districts=districts, years=1, verbosity=0)
    plan = Plan.objects.get(code="synthetic-scale")
    plan.target_year = 2025
    plan.save()
    if not args.no_rules:
        add_rules(plan)
    baselines = Observation.objects.filter(indicator__plan=plan).values_list(
        "indicator__code", "district__code", "value"
    )
    rows = []
    for indicator, district, value in baselines:
        for year in range(2021, 2026):
            figure = round(float(value) + year - 2020, 2)
            rows.append((len(rows) + 2, {"indicator": indicator, "district": district, "year": year, "value": figure}))
    rows = rows[: args.rows]
    started = time.perf_counter()
    pipeline.import_rows(plan=plan, rows=rows, by=system_user())
    seconds = time.perf_counter() - started
    stored = Observation.objects.filter(indicator__plan=plan, year__gt=2020).count()
    assert stored == len(rows), (stored, len(rows))
    print(f"database: {os.environ['DATABASE_URL'].rsplit('@', 1)[-1]}")
    print(
        f"{len(rows)} rows ({Indicator.objects.filter(plan=plan).count()} indicators x {districts} districts x 5 years)"
    )
    print(f"rules between indicators: {plan.rules.count()}")
    print(f"import_rows: {seconds:.1f} s ({len(rows) / seconds:.0f} rows/s)")
    bare = bare_bulk_create(plan, rows)
    print(f"bare bulk_create of the same figures + history rows: {bare:.1f} s ({len(rows) / bare:.0f} rows/s)")
    print(f"import_rows / bare: {seconds / bare:.1f}x")


def add_rules(plan):
    """Three rules the figures keep (every figure lies between 40 and 66): shaped as the shipped ones."""
    from plans.models import Indicator, Rule
    from plans.rules import parse_side

    indicators = {i.code: i for i in Indicator.objects.filter(plan=plan)}
    shapes = [
        ("synthetic_0001", "0.2*synthetic_0002 + 0.2*synthetic_0003 + 0.2*synthetic_0004"),
        ("synthetic_0005", "0.5*synthetic_0006"),
        ("synthetic_0007", "0.5*synthetic_0008"),
    ]
    for n, (left, right) in enumerate(shapes, start=1):
        rule = Rule.objects.create(plan=plan, code=f"bench_{n}", name=f"规则{n}", operator="≥", reason="性能测试")
        rule.replace_terms(parse_side(left), parse_side(right), indicators)


def bare_bulk_create(plan, rows):
    """The floor: the same figures and their history rows written with two bulk_creates, nothing checked."""
    from django.db import transaction
    from django.utils import timezone

    from figures.models import Observation
    from figures.plan_loading import system_user
    from plans.models import District, Indicator

    imported = Observation.objects.filter(indicator__plan=plan, year__gt=2020)
    Observation.history.filter(indicator__plan=plan, year__gt=2020).delete()
    imported.delete()
    indicators = {i.code: i.pk for i in Indicator.objects.filter(plan=plan)}
    districts = dict(District.objects.values_list("code", "pk"))
    by, now = system_user(), timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        figures = Observation.objects.bulk_create(
            [
                Observation(
                    indicator_id=indicators[r["indicator"]],
                    district_id=districts[r["district"]],
                    year=r["year"],
                    value=r["value"],
                    status="approved",
                    entered_by=by,
                    entered_at=now,
                    approved_by=by,
                    approved_at=now,
                )
                for _n, r in rows
            ],
            batch_size=500,
        )
        Observation.history.bulk_history_create(figures, batch_size=500, default_user=by)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
