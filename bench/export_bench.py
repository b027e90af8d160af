"""How long the Excel report takes for a large number of figures, against a bare openpyxl loop.

    .venv/bin/python bench/export_bench.py                 # 100,000 figures
    .venv/bin/python bench/export_bench.py --rows 10000    # fewer, to see that memory stays flat

Runs from a clean clone after `make run` has installed the venv (or `pip install -r requirements.txt`). It builds a
throwaway SQLite database in a temporary folder (never the project's): the plan, synthetic counties so that the
figures fit the one-figure-per-cell rule, and `--rows` approved figures. Then it times

* `excel_report.write_report`: the whole workbook (overview, districts, tasks, charts and every figure in 数据明细), and
* a bare loop: openpyxl's write-only mode writing the same 数据明细 cells from the same query, with no styles,

and, in a second pass under tracemalloc, the peak memory Python allocates for the report.
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(folder):
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planboard.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_plan", verbosity=0)


def make_figures(rows):
    """`rows` approved figures spread over the plan's indicators, synthetic counties and the reporting years."""
    from django.utils import timezone

    from figures.models import Observation, ObservationStatus
    from figures.plan_loading import system_user
    from plans.models import District, Indicator, Plan

    plan = Plan.objects.current()
    indicators = list(Indicator.objects.filter(plan=plan))
    years = range(plan.base_year + 1, plan.target_year + 1)
    per_district = len(indicators) * len(years)
    needed = -(-rows // per_district)
    District.objects.bulk_create(
        District(
            code=f"9{n:05d}", name=f"测试县{n}", short_name=f"测试{n}", slug=f"bench-{n}", kind="county", order=100 + n
        )
        for n in range(needed)
    )
    districts = list(District.objects.filter(slug__startswith="bench-"))
    by, now = system_user(), timezone.now()
    cells = ((i, d, y) for d in districts for i in indicators for y in years)
    batch = []
    for number, (indicator, district, year) in enumerate(cells):
        if number == rows:
            break
        batch.append(
            Observation(
                indicator=indicator,
                district=district,
                year=year,
                value=number % 1000,
                status=ObservationStatus.APPROVED,
                note="=示例说明" if number % 50 == 0 else "",
                source="bench",
                entered_by=by,
                entered_at=now,
                approved_by=by,
                approved_at=now,
            )
        )
        if len(batch) == 5000:
            Observation.objects.bulk_create(batch)
            batch = []
    Observation.objects.bulk_create(batch)
    return plan, by


def export(plan, by, path):
    from exports import excel_report

    with open(path, "wb") as out:
        excel_report.write_report(out, plan=plan, user=by, year=plan.target_year)


def bare_loop(plan, by, path):
    """The 数据明细 cells alone, written the plainest way openpyxl can."""
    from openpyxl import Workbook

    from exports.excel_report import DETAIL_FIELDS
    from figures.models import Observation

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("数据明细")
    sheet.append(DETAIL_FIELDS)
    for row in (
        Observation.objects.visible_to(by)
        .filter(indicator__plan=plan)
        .order_by("indicator__order", "indicator__code", "district__order", "year")
        .values_list(*DETAIL_FIELDS)
        .iterator(chunk_size=2000)
    ):
        row = list(row)
        row[5] = float(row[5])
        row[11] = row[11].replace(tzinfo=None)
        row[13] = row[13].replace(tzinfo=None) if row[13] else None
        sheet.append(row)
    workbook.save(path)


def timed(function, *args):
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory(prefix="planboard-bench-") as folder:
        folder = Path(folder)
        setup(folder)
        start = time.perf_counter()
        plan, by = make_figures(rows)
        print(f"{rows} figures created in {time.perf_counter() - start:.1f} s")

        from figures.models import Observation

        total = Observation.objects.count()
        report, bare = folder / "report.xlsx", folder / "bare.xlsx"
        export_seconds = timed(export, plan, by, report)
        bare_seconds = timed(bare_loop, plan, by, bare)
        tracemalloc.start()
        export(plan, by, folder / "again.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"figures in 数据明细:        {total}")
        print(f"excel_report.write_report:        {export_seconds:6.1f} s   {report.stat().st_size / 1e6:5.1f} MB file")
        print(f"bare write-only loop:      {bare_seconds:6.1f} s   {bare.stat().st_size / 1e6:5.1f} MB file")
        print(f"report / bare:             {export_seconds / bare_seconds:6.2f}")
        print(f"peak Python memory (report, tracemalloc): {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
