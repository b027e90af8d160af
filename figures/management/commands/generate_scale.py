"""Fill a throwaway database with a synthetic national-scale plan, for the benchmarks in bench/."""

import io
import random
import time
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from figures import standings
from figures.models import DataVersion, Observation
from figures.plan_loading import system_user
from plans.models import District, DistrictKind, Indicator, Plan, Target

PLAN_CODE = "synthetic-scale"
BATCH = 20_000


class Command(BaseCommand):
    help = "生成大规模合成规划数据（仅用于性能测试，请使用单独的数据库）。"

    def add_arguments(self, parser):
        sqlite = connection.vendor == "sqlite"
        parser.add_argument("--indicators", type=int, default=50 if sqlite else 500)
        parser.add_argument("--districts", type=int, default=100 if sqlite else 1000)
        parser.add_argument("--years", type=int, default=6, help="年数，含基期年")
        parser.add_argument("--seed", type=int, default=2020)

    def handle(self, *args, indicators, districts, years, seed, **options):
        if Plan.objects.filter(code=PLAN_CODE).exists():
            raise CommandError("合成规划已存在；请换一个空数据库。")
        started = time.perf_counter()
        rng = random.Random(seed)
        with transaction.atomic():
            plan = Plan.objects.create(
                code=PLAN_CODE, name="合成规划（性能测试）", base_year=2020, target_year=2020 + years
            )
            province = District.objects.create(
                code="S000000",
                name="合成省",
                short_name="合成省",
                slug="synthetic-province",
                kind=DistrictKind.PROVINCE,
                order=0,
            )
            District.objects.bulk_create(
                District(
                    code=f"S{n:06d}",
                    name=f"合成县{n}",
                    short_name=f"县{n}",
                    slug=f"synthetic-{n}",
                    kind=DistrictKind.COUNTY,
                    order=n,
                )
                for n in range(1, districts)
            )
            DataVersion.bump_all()  # bulk_create sends no signal (figures.signals)
            district_ids = [
                province.pk,
                *District.objects.filter(code__startswith="S0")
                .exclude(pk=province.pk)
                .order_by("order")
                .values_list("pk", flat=True),
            ]
            Indicator.objects.bulk_create(
                Indicator(
                    plan=plan,
                    code=f"synthetic_{n:04d}",
                    order=n,
                    name=f"合成指标{n}",
                    unit="%",
                    min_value=0,
                    max_value=100,
                    section="主要指标",
                    is_main=True,
                )
                for n in range(1, indicators + 1)
            )
            indicator_ids = list(Indicator.objects.filter(plan=plan).order_by("order").values_list("pk", flat=True))
            self._insert(
                Target,
                ["indicator_id", "district_id", "year", "value", "upper", "operator"],
                ((i, d, plan.target_year, rng.randint(60, 95), None, "") for i in indicator_ids for d in district_ids),
            )
            user = system_user().pk
            now = datetime.now(UTC).isoformat()

            def observations():
                for i in indicator_ids:
                    for d in district_ids:
                        value = rng.uniform(40, 60)
                        for year in range(plan.base_year, plan.base_year + years):
                            yield (
                                i,
                                d,
                                year,
                                round(value, 2),
                                "approved",
                                "",
                                "合成数据",
                                "",
                                "",
                                "",
                                False,
                                False,
                                1,
                                user,
                                now,
                                user,
                                now,
                                False,
                            )
                            value = min(100.0, value + rng.uniform(-1, 6))

            self._insert(
                Observation,
                [
                    "indicator_id",
                    "district_id",
                    "year",
                    "value",
                    "status",
                    "note",
                    "source",
                    "reason",
                    "measures",
                    "review_comment",
                    "confirmed_large_move",
                    "is_demo",
                    "version",
                    "entered_by_id",
                    "entered_at",
                    "approved_by_id",
                    "approved_at",
                    "late",
                ],
                observations(),
            )
        if connection.vendor == "postgresql":
            # The planner has no statistics of the rows COPY just wrote: it would then read every figure once per
            # indicator to compute the statuses below (hours at 3,000,000 figures instead of minutes).
            tables = ", ".join(model._meta.db_table for model in (District, Indicator, Target, Observation))
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {tables}")
        standings.refresh(plan)
        count = len(indicator_ids) * len(district_ids) * years
        self.stdout.write(
            f"{len(indicator_ids)} 个指标 × {len(district_ids)} 个地区 × {years} 年 = {count} 条数据，"
            f"用时 {time.perf_counter() - started:.1f} 秒。"
        )

    def _insert(self, model, columns, rows):
        """COPY on PostgreSQL (fast enough for millions of rows), batched INSERTs elsewhere."""
        table = model._meta.db_table
        with connection.cursor() as cursor:
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == BATCH:
                    self._write(cursor, table, columns, batch)
                    batch = []
            if batch:
                self._write(cursor, table, columns, batch)

    def _write(self, cursor, table, columns, batch):
        if connection.vendor == "postgresql":
            text = "\n".join("\t".join(_copy_value(v) for v in row) for row in batch)
            cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text))
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch)


def _copy_value(value):
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)
