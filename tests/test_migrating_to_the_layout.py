"""A database made before the apps were laid out in layers (everything in `indicators` and `tasks`) migrates to
the layout without losing a row: figures, their history, groups and their permissions, users; afterwards a
reviewer still reviews and an official still enters.

The old database is built in a database of its own, by `manage.py migrate` to the last migrations of the old
layout and rows written through the models as they were then (the migration state), so the test's own database
is untouched.
"""

import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal, InvalidOperation

import dj_database_url
import pytest
from django.conf import settings

OLD_LAYOUT = [("indicators", "0003_standing"), ("tasks", "0002_taskreport")]

# Rows written with the models of the old layout, as a department's database held them.
WRITE_OLD_ROWS = """
import datetime
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

apps = MigrationExecutor(connection).loader.project_state(%(targets)r).apps
# What `migrate` did for the old indicators app while it had models (today it has only migrations).
ContentType, Permission = apps.get_model("contenttypes.ContentType"), apps.get_model("auth.Permission")
for model in apps.get_app_config("indicators").get_models():
    name = model._meta.model_name
    content_type = ContentType.objects.create(app_label="indicators", model=name)
    codenames = [f"{action}_{name}" for action in ("add", "change", "delete", "view")]
    codenames += [codename for codename, _label in model._meta.permissions]
    Permission.objects.bulk_create(Permission(content_type=content_type, codename=c, name=c) for c in codenames)
Plan, District, Indicator, Target, Observation, HistoricalObservation, ReportingYear, Task, TaskReport = (
    apps.get_model(label) for label in (
        "indicators.Plan", "indicators.District", "indicators.Indicator", "indicators.Target",
        "indicators.Observation", "indicators.HistoricalObservation", "indicators.ReportingYear",
        "tasks.Task", "tasks.TaskReport",
    )
)
User, Group, Permission = apps.get_model("auth.User"), apps.get_model("auth.Group"), apps.get_model("auth.Permission")
now = timezone.make_aware(datetime.datetime(2025, 3, 1, 9, 30))

plan = Plan.objects.create(code="p", name="规划", base_year=2020, target_year=2025)
province = District.objects.create(code="110000", name="全省", short_name="全省", slug="province", kind="province")
city = District.objects.create(code="110100", name="一市", short_name="一市", slug="city", kind="city", order=1)
task = Task.objects.create(plan=plan, number=1, category="类")
indicator = Indicator.objects.create(plan=plan, code="rate", name="比率", unit="%%", section="专栏", task=task)
Target.objects.create(indicator=indicator, district=city, year=2025, value=90, operator="≥")
ReportingYear.objects.create(plan=plan, year=2021, locked=False)

official = User.objects.create(username="official", password="x")
reviewer = User.objects.create(username="reviewer", password="x")
city.members.add(official)
for name, codenames in {"填报员": ["view_observation", "add_observation", "change_observation"],
                        "审核员": ["view_observation", "change_observation", "view_all_districts",
                                   "enter_all_districts", "review_observation"]}.items():
    group = Group.objects.create(name=name)
    group.permissions.set(Permission.objects.filter(content_type__app_label="indicators", codename__in=codenames))
official.groups.add(Group.objects.get(name="填报员"))
reviewer.groups.add(Group.objects.get(name="审核员"))

for year, value, status in [(2021, 80, "submitted"), (2022, 82, "draft")]:
    figure = Observation.objects.create(indicator=indicator, district=city, year=year, value=value, status=status,
                                        entered_by=official, entered_at=now)
    HistoricalObservation.objects.create(
        id=figure.id, indicator=indicator, district=city, year=year, value=value, status=status, version=1,
        entered_by=official, entered_at=now, history_date=now, history_type="+", history_user=official,
        note="", source="", reason="", measures="", review_comment="", confirmed_large_move=False, is_demo=False)
TaskReport.objects.create(task=task, year=2021, status="in_progress", summary="推进", entered_by=reviewer,
                          entered_at=now)
"""

# Every row of the tables the move concerns, keyed by table, for comparing before and after.
SNAPSHOT = """
import json
from django.db import connection
tables = sorted(t for t in connection.introspection.table_names()
                if t.startswith(("indicators_", "tasks_", "auth_")) and t != "auth_permission")
rows = {}
with connection.cursor() as cursor:
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
        columns = [column[0] for column in cursor.description]
        # By column name: later auth migrations may rebuild a table with its columns in another order.
        rows[table] = [sorted(zip(columns, map(str, row))) for row in cursor.fetchall()]
    cursor.execute("SELECT id, app_label, model FROM django_content_type")
    types = {f"{app}.{model}": pk for pk, app, model in cursor.fetchall()}
    cursor.execute("SELECT id, content_type_id, codename FROM auth_permission")
    permissions = sorted([pk, ct, code] for pk, ct, code in cursor.fetchall())
print(json.dumps({"rows": rows, "types": types, "permissions": permissions}))
"""

# With today's code: the reviewer approves the submitted figure, the official enters the next year.
WORK_AFTERWARDS = """
import json
from django.contrib.auth.models import User
from figures import pipeline, review
from figures.models import Observation
from plans.models import District, Indicator

reviewer, official = User.objects.get(username="reviewer"), User.objects.get(username="official")
submitted = Observation.objects.get(year=2021)
approved = review.approve(observation=submitted, by=reviewer, version=submitted.version)
entered = pipeline.record_value(by=official, indicator=Indicator.objects.get(code="rate"),
                                district=District.objects.get(code="110100"), year=2023, value="84",
                                action="submit")
print(json.dumps({
    "reviewer_may_review": reviewer.has_perm("figures.review_observation"),
    "official_may_enter": official.has_perm("figures.change_observation"),
    "approved": approved.status, "history": approved.history.count(),
    "entered": [entered.status, float(entered.value)],
}))
"""


@pytest.fixture
def empty_database():
    """The URL of a new, empty database of the same kind as the test database, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg2

        config = dj_database_url.parse(url)
        name = f"planboard_migration_{uuid.uuid4().hex[:8]}"
        admin = psycopg2.connect(
            dbname=config["NAME"], user=config["USER"], host=config["HOST"], port=config["PORT"] or 5432
        )
        admin.autocommit = True
        admin.cursor().execute(f'CREATE DATABASE "{name}"')
        yield url.rsplit("/", 1)[0] + "/" + name
        admin.cursor().execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()
    else:
        path = settings.BASE_DIR / "var" / f"migration-test-{uuid.uuid4().hex[:8]}.sqlite3"
        path.parent.mkdir(exist_ok=True)
        yield f"sqlite:///{path}"
        path.unlink(missing_ok=True)


def manage(database_url, *args, code=None):
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "migration-test"}
    command = [sys.executable, "manage.py", *args] + (["--no-imports", "-c", code] if code else [])
    done = subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    # `shell` may print a line of its own before the script's output.
    return (done.stdout.strip().splitlines() or [""])[-1]


# Columns that migrations after the layout add to old tables, with the value old rows get.
SEASON_COLUMNS = {"city_approved_at": "None", "city_approved_by_id": "None", "submitted_at": "None", "late": "False"}
ADDED_COLUMNS = {
    "tasks_taskreport": {"version": "1"},
    "tasks_historicaltaskreport": {"version": "1"},
    "indicators_indicator": {
        "level_gap": "None",
        "is_main": "False",
        "sum_check": "False",
        "sum_tolerance": "0",
        "district_order": "None",
        "continues_id": "None",
        # Indicator metadata (plans 0007) and English units (plans 0012): empty until someone writes them.
        "scope": "",
        "data_source": "",
        "responsible_office": "",
        "notes": "",
        "unit_en": "",
        "skip_outliers": "False",
    },
    # The one plan, the one every page showed, is the current plan (plans 0005).
    "indicators_plan": {"is_current": "True", "review_levels": "1", "published": "False"},
    # The reporting season (figures 0006): nothing approved by a city, submitted or late yet, no round open.
    "indicators_observation": SEASON_COLUMNS,
    "indicators_historicalobservation": SEASON_COLUMNS,
    "indicators_reportingyear": {
        "deadline": "None",
        "opened_by_id": "None",
        "opened_at": "None",
        "close_requested_by_id": "None",
        "close_requested_at": "None",
    },
    "plans_historicalplan": {"review_levels": "1", "published": "False"},
}


def _same(stored, expected):
    """Equal as text, or as numbers: PostgreSQL writes a decimal default as 0.0000 where SQLite writes 0."""
    try:
        return Decimal(stored) == Decimal(expected)
    except (InvalidOperation, TypeError):
        return stored == expected


def without_added_columns(rows):
    """The rows as they were before ADDED_COLUMNS, checking that old rows got the added columns' defaults."""
    kept = {}
    for table, table_rows in rows.items():
        added = ADDED_COLUMNS.get(table, {})
        assert all(_same(dict(row).get(name), value) for row in table_rows for name, value in added.items()), table
        kept[table] = [[pair for pair in row if pair[0] not in added] for row in table_rows]
    return kept


def test_a_database_of_the_old_layout_migrates_with_every_row_and_still_works(empty_database):
    for app, migration in OLD_LAYOUT:
        manage(empty_database, "migrate", app, migration, "--noinput", "-v0")
    manage(empty_database, "shell", code=WRITE_OLD_ROWS % {"targets": OLD_LAYOUT})
    before = json.loads(manage(empty_database, "shell", code=SNAPSHOT))
    assert before["rows"]["indicators_observation"] and before["rows"]["indicators_historicalobservation"]
    assert before["rows"]["auth_group_permissions"]

    manage(empty_database, "migrate", "--noinput", "-v0")

    after = json.loads(manage(empty_database, "shell", code=SNAPSHOT))
    rows = without_added_columns(after["rows"])
    # migrate gives the role groups their permissions (planboard.roles): the old rows stay, the roles' other
    # permissions and the groups the old layout lacked are added.
    for table in ("auth_group", "auth_group_permissions"):
        kept = rows.pop(table)
        assert all(row in kept for row in before["rows"].pop(table)), table
    assert rows == before["rows"]
    # Every permission keeps its row (so groups keep it); apps migrated only now add their own.
    assert after["permissions"][: len(before["permissions"])] == before["permissions"]
    moved = {
        "indicators.observation": "figures.observation",
        "indicators.historicalobservation": "figures.historicalobservation",
        "indicators.plan": "plans.plan",
        "indicators.district": "plans.district",
        "tasks.task": "plans.task",
        "tasks.taskreport": "tasks.taskreport",
    }
    for old, new in moved.items():
        assert after["types"][new] == before["types"][old], old
    assert "indicators.observation" not in after["types"]

    work = json.loads(manage(empty_database, "shell", code=WORK_AFTERWARDS))
    assert work == {
        "reviewer_may_review": True,
        "official_may_enter": True,
        "approved": "approved",
        "history": 2,
        "entered": ["submitted", 84.0],
    }
