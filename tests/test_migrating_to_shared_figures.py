"""A database from before indicators could continue one another (plans 0006) migrates with every figure and its
history intact, and its figures still read and write where they are (README, "Figures two plans share").

As in test_migrating_to_the_layout: the database is one of its own, migrated with `manage.py migrate`, its rows
written through the models of the migration state before ours.
"""

import json

from tests.test_migrating_to_the_layout import empty_database, manage  # noqa: F401 (a fixture)

BEFORE = [("plans", "0005_plan_is_current")]

# A plan with figures in every status, each with its history, written with the models as they were before.
WRITE_ROWS = """
import datetime
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

apps = MigrationExecutor(connection).loader.project_state(%(targets)r).apps
Plan, District, Indicator, Target, Observation, HistoricalObservation, HistoricalIndicator = (
    apps.get_model(label) for label in (
        "plans.Plan", "plans.District", "plans.Indicator", "plans.Target", "figures.Observation",
        "figures.HistoricalObservation", "plans.HistoricalIndicator",
    )
)
assert not any(f.name == "continues" for f in Indicator._meta.get_fields())
User = apps.get_model("auth.User")
now = timezone.make_aware(datetime.datetime(2025, 3, 1, 9, 30))
official = User.objects.create(username="official", password="x")
reviewer = User.objects.create(username="reviewer", password="x")
plan = Plan.objects.create(code="p", name="规划", base_year=2020, target_year=2025)
province = District.objects.create(code="110000", name="全省", short_name="全省", slug="province", kind="province")
indicator = Indicator.objects.create(plan=plan, code="rate", name="比率", unit="%%", section="专栏")
HistoricalIndicator.objects.create(id=indicator.id, plan_id=plan.id, code="rate", name="比率", unit="%%",
    section="专栏", group="", order=0, name_en="", direction="increase", decimals=2, whole_number=False,
    attribute="", definition="", source_detail="", cumulative=False, is_main=False, sum_check=False,
    sum_tolerance=0, confidence="high", needs_review=False, history_date=now, history_type="+")
Target.objects.create(indicator=indicator, district=province, year=2025, value=90, operator="≥")
for year, value, status in [(2020, 80, "approved"), (2021, 81.5, "approved"), (2022, 82, "submitted"),
                            (2023, 83, "draft")]:
    approved = status == "approved"
    figure = Observation.objects.create(
        indicator=indicator, district=province, year=year, value=value, status=status, entered_by=official,
        entered_at=now, approved_by=reviewer if approved else None, approved_at=now if approved else None)
    for version in range(1, 3):
        HistoricalObservation.objects.create(
            id=figure.id, indicator=indicator, district=province, year=year, value=value, status=status,
            version=version, entered_by=official, entered_at=now, history_date=now, history_type="~",
            history_user=official, note="", source="", reason="", measures="", review_comment="",
            confirmed_large_move=False, is_demo=False)
"""

# Every figure, every history row and every indicator, column by column.
SNAPSHOT = """
import json
from django.db import connection
rows = {}
with connection.cursor() as cursor:
    for table in ("indicators_observation", "indicators_historicalobservation", "indicators_indicator",
                  "plans_historicalindicator", "indicators_target"):
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
        columns = [column[0] for column in cursor.description]
        rows[table] = [sorted(zip(columns, map(str, row))) for row in cursor.fetchall()]
print(json.dumps(rows))
"""

# With today's code: the figures read as before, and the next one goes where they are.
WORK_AFTERWARDS = """
import json
from django.contrib.auth.models import User
from figures import pipeline
from figures.assessments import assess
from plans.models import District, Indicator, Plan

plan, indicator = Plan.objects.get(code="p"), Indicator.objects.get(code="rate")
province = District.objects.get(code="110000")
verdict = assess(plan, as_of=2021, indicators=[indicator], districts=[province])[(indicator.pk, province.pk)]
reviewer = User.objects.get(username="reviewer")
reviewer.is_superuser = True
reviewer.save()
entered = pipeline.record_value(by=reviewer, indicator=indicator, district=province, year=2024, value="84",
                                action="save")
print(json.dumps({"baseline": verdict.baseline, "latest": verdict.latest, "statistic": indicator.statistic.pk,
                  "entered_on": entered.indicator_id, "indicator": indicator.pk}))
"""


def test_a_database_with_figures_migrates_to_indicators_that_continue_with_every_row(empty_database):  # noqa: F811
    manage(empty_database, "migrate", "--noinput", "-v0")
    for app, migration in BEFORE:
        manage(empty_database, "migrate", app, migration, "--noinput", "-v0")
    targets = [*BEFORE, ("figures", "0005_pipeline_constraints")]
    manage(empty_database, "shell", code=WRITE_ROWS % {"targets": targets})
    before = json.loads(manage(empty_database, "shell", code=SNAPSHOT))
    assert len(before["indicators_observation"]) == 4 and len(before["indicators_historicalobservation"]) == 8

    manage(empty_database, "migrate", "--noinput", "-v0")

    after = json.loads(manage(empty_database, "shell", code=SNAPSHOT))
    # Columns that came later (continuation, the season's, indicator metadata and English units) are empty: the
    # rows keep every value they had, column by column.
    for table, rows in before.items():
        known = {name for row in rows for name, _value in row}
        assert [[pair for pair in row if pair[0] in known] for row in after[table]] == rows, table
        added = {name: value for row in after[table] for name, value in row if name not in known}
        assert set(added.values()) <= {"None", "", "False"}, (table, added)

    work = json.loads(manage(empty_database, "shell", code=WORK_AFTERWARDS))
    assert work["baseline"] == [2020, 80.0] and work["latest"] == [2021, 81.5]
    assert work["statistic"] == work["entered_on"] == work["indicator"]
