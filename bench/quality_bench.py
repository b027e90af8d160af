"""The 数据质量 page, its Excel workbook and its API with 1,000 districts: a synthetic plan (`generate_scale`) in a
fresh SQLite file, every indicator sum-checked, a few districts planted far from the others. Server time and
query count.

    .venv/bin/python bench/quality_bench.py [--districts 1000] [--indicators 20] [--repeat 3]
"""

import argparse
import statistics
import time

from harness import start_django  # bench/, the script's folder, is on sys.path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--districts", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start_django("quality")
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from figures.models import Observation
    from planboard import roles
    from plans.models import Indicator, Plan

    call_command("generate_scale", districts=args.districts, indicators=args.indicators, verbosity=0)
    roles.ensure_groups()
    plan = Plan.objects.get(code="synthetic-scale")
    # Every indicator is a district-table metric, so the sum check reads every figure too.
    Indicator.objects.filter(plan=plan).update(sum_check=True)
    year = plan.target_year - 1  # the last year with figures
    planted = Observation.objects.filter(indicator__plan=plan, year=year).order_by("indicator", "district")[::97]
    Observation.objects.filter(pk__in=[o.pk for o in planted]).update(value=0)
    reviewer = get_user_model().objects.create_user("bench_reviewer")
    reviewer.groups.add(Group.objects.get(name=roles.REVIEWER))
    figures = Observation.objects.filter(indicator__plan=plan).count()
    print(f"{args.districts} districts × {args.indicators} indicators: {figures} figures, {len(planted)} planted")
    print()
    print("| request | server time (median) | queries | rows |")
    print("|---|---|---|---|")

    client = Client()
    client.force_login(reviewer)

    def measure(label, url):
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - started)
        return statistics.median(times), len(queries), response

    base = f"/plans/{plan.code}"
    elapsed, count, response = measure("page", f"{base}/quality/?year={year}")
    print(f"| 数据质量 page | {elapsed * 1000:.0f} ms | {count} | {len(response.content) // 1024} KB |")
    elapsed, count, response = measure("xlsx", f"{base}/quality.xlsx?year={year}")
    print(f"| 数据质量 Excel | {elapsed * 1000:.0f} ms | {count} | {len(response.content) // 1024} KB |")
    elapsed, count, response = measure("api", f"/api/quality/?plan={plan.code}&year={year}")
    districts = len(response.json()["districts"])
    print(f"| `GET /api/quality/` | {elapsed * 1000:.0f} ms | {count} | {districts} districts |")
    elapsed, count, response = measure("api", f"/api/quality/outliers/?plan={plan.code}&year={year}")
    print(f"| `GET /api/quality/outliers/` | {elapsed * 1000:.0f} ms | {count} | {response.json()['count']} |")


if __name__ == "__main__":
    main()
