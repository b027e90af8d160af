"""The reporting season's pages with 1,000 districts: 待办 (a reviewer and an official of every district), the
header count (cold and cached) and 填报进度, in a fresh SQLite file. Server time and query count.

    .venv/bin/python bench/season_bench.py [--districts 1000] [--repeat 5]
"""

import argparse
import statistics
import time

from harness import start_django  # bench/, the script's folder, is on sys.path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--districts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    start_django("season")
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.utils import timezone

    from figures import rounds, todo
    from figures.models import Observation
    from planboard import roles
    from plans.models import District, Indicator, Plan, Target

    call_command("load_plan", verbosity=0)
    roles.ensure_groups()
    plan = Plan.objects.current()
    users = {}
    for name, role in (
        ("bench_reviewer", roles.REVIEWER),
        ("bench_official", roles.OFFICIAL),
        ("bench_leader", roles.LEADER),
    ):
        users[name] = get_user_model().objects.create_user(name)
        users[name].groups.add(Group.objects.get(name=role))
    made = District.objects.bulk_create(
        District(code=f"9{n:06d}", name=f"县{n}", short_name=f"县{n}", slug=f"b{n}", kind="county", order=1000 + n)
        for n in range(args.districts)
    )
    indicators = list(Indicator.objects.filter(plan=plan, is_main=True)[:5])
    Target.objects.bulk_create(
        Target(indicator=i, district=d, year=plan.target_year, value=1) for d in made for i in indicators
    )
    now = timezone.now()
    Observation.objects.bulk_create(
        Observation(
            indicator=i,
            district=d,
            year=plan.target_year,
            value=1,
            status="submitted",
            entered_by=users["bench_official"],
            entered_at=now,
            submitted_at=now,
        )
        for d in made
        for i in indicators[:3]
    )
    users["bench_official"].districts.add(*made)
    rounds.open_round(plan=plan, year=plan.target_year, deadline=rounds.today(), by=users["bench_reviewer"])
    print(f"{len(made)} districts, {Observation.objects.count()} figures, {len(indicators)} indicators each")
    print()
    print("| page | server time (median) | queries |")
    print("|---|---|---|")

    def measure(label, call):
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
            call()
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        print(f"| {label} | {statistics.median(times) * 1000:.0f} ms | {len(queries)} |")

    client = Client()
    for user, label, url in (
        ("bench_reviewer", "待办, province reviewer", "todo/"),
        ("bench_official", f"待办, official of {len(made)} districts", "todo/"),
        ("bench_leader", "填报进度", f"timeliness/?year={plan.target_year}"),
    ):
        client.force_login(users[user])
        measure(label, lambda url=url: client.get(f"/plans/{plan.code}/{url}"))

    def header_count():
        request = RequestFactory().get("/")  # each page's own request, which reads the data versions once
        request.user = users["bench_official"]
        return todo.count(plan, request)

    measure("header count, cold cache", lambda: (cache.clear(), header_count()))
    measure("header count, cached", header_count)


if __name__ == "__main__":
    main()
