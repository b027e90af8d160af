"""Issue #11: the plan's baselines (load_plan and the plan workbook) go through the one write pipeline.

They are stored as approved figures in the name of whoever loads the plan (the system user for the command);
`--force` replaces a reviewed baseline only as a new approved version, and in a locked year only when the
command names that year."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from figures.models import Observation, ReportingYear
from figures.plan_dumping import dump_plan
from figures.plan_loading import Refused, load_plan
from tests.story import approve

pytestmark = pytest.mark.django_db

CODE = "putonghua_rate"


def baseline(plan):
    return Observation.objects.get(indicator__code=CODE, district__code="350000", year=plan.base_year)


def reviewed(plan, district, reviewer, value="90.1"):
    """The 2020 baseline corrected through the reviewers (reopened, resubmitted, approved)."""
    return approve(plan, reviewer, district("province"), CODE, plan.base_year, value)


def test_force_replaces_a_reviewed_baseline_only_as_a_new_approved_version_of_the_command(
    plan, district, reviewer, capsys
):
    published = baseline(plan).value
    corrected = reviewed(plan, district, reviewer)
    call_command("load_plan")
    assert baseline(plan).value == corrected.value and baseline(plan).version == corrected.version
    assert "基期值 putonghua_rate 350000 2020" in capsys.readouterr().out

    call_command("load_plan", "--force")
    figure = baseline(plan)
    assert (figure.value, figure.status, figure.version) == (published, "approved", corrected.version + 1)
    assert (figure.entered_by.username, figure.approved_by.username) == ("system", "system")
    new, old = figure.history.order_by("-version")[:2]
    assert (new.version, new.history_user.username) == (figure.version, "system")
    assert new.history_change_reason == "规划基期值"
    assert (old.value, old.history_user) == (corrected.value, reviewer)


def test_force_in_a_locked_year_is_refused_unless_the_command_names_the_year(plan, district, reviewer):
    corrected = reviewed(plan, district, reviewer)
    ReportingYear.objects.create(plan=plan, year=plan.base_year, locked=True)
    with pytest.raises(CommandError, match=r"2020.*--change-locked-year 2020"):
        call_command("load_plan", "--force")
    assert baseline(plan).version == corrected.version and baseline(plan).value == corrected.value

    with pytest.raises(CommandError, match="--change-locked-year 2020"):
        call_command("load_plan", "--force", "--change-locked-year", "2021")
    assert baseline(plan).version == corrected.version

    call_command("load_plan", "--force", "--change-locked-year", "2020")
    figure = baseline(plan)
    assert figure.version == corrected.version + 1 and figure.value != corrected.value
    assert figure.history.latest("version").history_user.username == "system"


def test_a_workbook_baseline_is_validated_like_any_figure_and_nothing_is_written(plan, admin_user):
    data = dump_plan(plan)
    row = next(r for r in data["baselines"] if r["indicator"] == CODE and r["district"] == "350000")
    row["fields"]["value"] = -5
    preview = load_plan(data, by=admin_user, force=True, remove=True, dry_run=True)
    refused = [c for c in preview.changes if c.action == "refused"]
    assert [(c.sheet, c.key) for c in refused] == [("分地区目标", "基期值 putonghua_rate 350000 2020")]
    assert "不能为负数" in refused[0].details[0]
    with pytest.raises(Refused):
        load_plan(data, by=admin_user, force=True, remove=True)
    assert baseline(plan).value > 0 and baseline(plan).version == 1


def test_a_workbook_changing_a_baseline_in_a_locked_year_is_refused_saying_so(plan, admin_user):
    ReportingYear.objects.create(plan=plan, year=plan.base_year, locked=True)
    data = dump_plan(plan)
    row = next(r for r in data["baselines"] if r["indicator"] == CODE and r["district"] == "350000")
    row["fields"]["value"] += 1
    preview = load_plan(data, by=admin_user, force=True, remove=True, dry_run=True)
    refused = [c for c in preview.changes if c.action == "refused"]
    assert [c.key for c in refused] == ["基期值 putonghua_rate 350000 2020"]
    assert "2020年度已锁定" in refused[0].details[0]
    with pytest.raises(Refused):
        load_plan(data, by=admin_user, force=True, remove=True)
    assert baseline(plan).version == 1


def test_a_workbook_baseline_is_a_new_approved_version_in_the_uploaders_name(plan, admin_user):
    before = baseline(plan)
    data = dump_plan(plan)
    row = next(r for r in data["baselines"] if r["indicator"] == CODE and r["district"] == "350000")
    row["fields"]["value"] += 1
    report = load_plan(data, by=admin_user, force=True, remove=True)
    assert "分地区目标 基期值 putonghua_rate 350000 2020" in report.overwritten
    figure = baseline(plan)
    assert (figure.value, figure.version, figure.status) == (before.value + 1, 2, "approved")
    assert figure.entered_by == admin_user and figure.approved_by == admin_user
    assert figure.history.latest("version").history_user == admin_user
