"""Server time and query count of the main pages, measured in-process with Django's test client.

    .venv/bin/python bench/run.py
        the real plan with demo figures, in a fresh SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/planboard_scale .venv/bin/python bench/run.py
        an existing database, e.g. one filled by `manage.py generate_scale`

Prints a Markdown table: the first request's time, the median server time (and this process's CPU time) of --repeat
runs after it, and the query count. With --profile, also the functions that took the most time in one cached request
of each page (cProfile), and its SQL.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import time

from harness import start_django  # bench/, the script's folder, is on sys.path


def setup(fresh):
    start_django("bench", fresh=fresh)
    if fresh:
        from django.core.management import call_command

        call_command("load_plan", verbosity=0)
        call_command("load_demo", verbosity=0)


def leader():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from planboard import roles

    roles.ensure_groups()
    user, _ = get_user_model().objects.get_or_create(username="bench_leader")
    user.groups.add(Group.objects.get(name=roles.LEADER))
    return user


def profile(client, url, top):
    """Where one cached request's time goes: the `top` functions by cumulative time, then the SQL it ran."""
    from django.db import connection

    queries = []
    profiler = cProfile.Profile()
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        profiler.runcall(client.get, url)
    print(f"\n### {url}\n")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)
    for sql in queries:
        print("   ", sql[:200])


def measure(client, url, repeat):
    from django.db import connection

    started = time.perf_counter()
    response = client.get(url)
    first = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    queries = []
    # Count at the cursor: Django empties its own query log when a request starts.
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        client.get(url)
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return first, statistics.median(times), statistics.median(cpu), len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--district", help="division code of the district pages (default: the province)")
    parser.add_argument("--indicator", help="indicator code of the indicator page (default: the first)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", type=int, metavar="TOP", help="print the TOP functions of a cached request")
    args = parser.parse_args()
    setup(fresh="DATABASE_URL" not in os.environ)

    from django.db.models import Count
    from django.test import Client

    from figures.models import Observation
    from plans.models import District, Indicator, Plan

    plan = Plan.objects.current()
    district = (
        args.district or District.objects.filter(kind="province").order_by("-pk").values_list("code", flat=True)[0]
    )
    indicator = (
        args.indicator or Indicator.objects.filter(plan=plan).order_by("order").values_list("code", flat=True)[0]
    )
    client = Client()
    client.force_login(leader())
    observations = Observation.objects.aggregate(n=Count("pk"))["n"]
    districts = District.objects.count()
    print(f"database: {os.environ['DATABASE_URL'].rsplit('@', 1)[-1]}; plan: {plan.name}")
    print(
        f"{Indicator.objects.filter(plan=plan).count()} indicators, {districts} districts, {observations} observations"
    )
    print()
    # The first request computes what the page shows (as after every write); the next ones read it from the cache.
    # "cpu" is this process's own CPU time (not the database's): on a machine loaded by other work the wall-clock
    # time mostly measures waiting for a core, the CPU time what the page costs.
    print("| page | first request | then (median) | then, cpu | queries |")
    print("|---|---|---|---|---|")
    year = f"year={plan.target_year}"
    pages = [
        ("dashboard, all districts' overview", f"/plans/{plan.code}/?district={district}"),
        ("indicator page", f"/plans/{plan.code}/indicators/{indicator}/?district={district}"),
        ("indicator page", f"/plans/{plan.code}/indicators/{indicator}/?district={district}&{year}"),
        ("district page", f"/plans/{plan.code}/districts/{district}/"),
        ("district page", f"/plans/{plan.code}/districts/{district}/?{year}"),
        ("/api/progress/", f"/api/progress/?district={district}"),
    ]
    for name, url in pages:
        first, seconds, cpu, queries = measure(client, url, args.repeat)
        print(f"| {name} `{url}` | {first * 1000:.0f} ms | {seconds * 1000:.0f} ms | {cpu * 1000:.0f} ms | {queries} |")
    if args.profile:
        for _name, url in pages:
            profile(client, url, args.profile)


if __name__ == "__main__":
    main()
