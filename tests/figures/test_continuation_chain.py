"""A continuation is checked as a whole chain, from both ends, however the plans are uploaded: no cycle, the same
statistic on both sides of every link, one continuation per indicator, and no member deleted while the chain has
figures (README, "Figures two plans share")."""

import io
import signal
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from figures.models import Observation
from figures.plan_dumping import dump_plan
from figures.plan_loading import Refused, load_plan
from plans import workbook, workbook_reading
from plans.models import Indicator, Plan
from tests import story
from tests.figures.test_plan_workbook_pages import small_plan
from tests.figures.test_shared_figures import CODE, OLD_PLAN, load_through_the_workbook, next_plan_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_plan(plan, admin_user):
    load_through_the_workbook(next_plan_rows(), admin_user)
    return Plan.objects.get(code="next-plan")


@contextmanager
def at_most(seconds):
    """Fail, rather than hang the suite, if the block runs longer than `seconds` (a chain walked in a circle)."""

    def stop(_signal, _frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def one_indicator_plan(code, base_year, target_year, continues=None):
    rows = small_plan()
    rows["plan"]["code"] = code
    rows["plan"]["fields"].update(base_year=base_year, target_year=target_year)
    rows["indicators"] = rows["indicators"][:1]
    rows["indicators"][0]["continues"] = continues
    rows["targets"] = [dict(rows["targets"][0], year=target_year)]
    rows["baselines"] = []
    return rows


def through_the_workbook(rows):
    return workbook_reading.read_workbook(workbook.write_workbook(rows))


def test_two_plans_continuing_each_other_uploaded_in_turn_are_refused_and_the_preview_ends(plan, admin_user):
    load_plan(through_the_workbook(one_indicator_plan("first", 2040, 2045)), by=admin_user)
    load_plan(through_the_workbook(one_indicator_plan("second", 2045, 2050, "first/" + CODE)), by=admin_user)
    # The first plan uploaded again, moved after the second and continuing it: a circle.
    again = through_the_workbook(one_indicator_plan("first", 2050, 2055, "second/" + CODE))
    with at_most(30):
        preview = load_plan(again, by=admin_user, force=True, remove=True, dry_run=True)
        with pytest.raises(Refused):
            load_plan(again, by=admin_user, force=True, remove=True)
    refused = [c for c in preview.changes if c.action == "refused"]
    assert refused and all(c.sheet == "指标" for c in refused)
    first = Indicator.objects.get(plan__code="first", code=CODE)
    assert first.continues is None and first.plan.target_year == 2045


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("unit", "万人", "单位"),
        ("direction", "decrease", "方向"),
        ("decimals", 1, "小数位数"),
        ("cumulative", True, "累计值"),
    ],
)
def test_the_earlier_indicator_keeps_its_statistic_while_a_later_plan_continues_it(
    plan, next_plan, admin_user, field, value, words
):
    data = dump_plan(plan)
    next(r for r in data["indicators"] if r["code"] == CODE)["fields"][field] = value
    preview = load_plan(data, by=admin_user, force=True, remove=True, dry_run=True)
    (refused,) = [c for c in preview.changes if c.action == "refused"]
    assert refused.sheet == "指标" and refused.key == CODE and words in refused.details[0]
    with pytest.raises(Refused):
        load_plan(data, by=admin_user, force=True, remove=True)
    old = plan.indicators.get(code=CODE)
    assert (old.unit, old.direction, old.decimals, old.cumulative) == ("%", "increase", 2, False)
    # The admin holds the same rule.
    setattr(old, field, value)
    with pytest.raises(ValidationError):
        old.full_clean()


def test_the_earlier_plan_cannot_end_after_the_later_plan_begins(plan, next_plan, admin_user):
    data = dump_plan(plan)
    data["plan"]["fields"]["target_year"] = 2027
    with pytest.raises(Refused, match="尚未结束"):
        load_plan(data, by=admin_user, force=True, remove=True)
    assert Plan.objects.get(pk=plan.pk).target_year == 2025
    plan.target_year = 2027
    with pytest.raises(ValidationError):
        plan.full_clean()


def test_a_continuing_indicator_whose_figures_are_stored_on_the_first_of_its_chain_is_not_deleted(
    plan, next_plan, admin_user, reviewer, district
):
    province = district("province")
    story.approve(next_plan, reviewer, province, CODE, 2026, "67")
    rows = next_plan_rows()
    rows["indicators"] = [r for r in rows["indicators"] if r["code"] != CODE]
    rows["targets"] = [r for r in rows["targets"] if r["indicator"] != CODE]
    with pytest.raises(Refused, match=CODE):
        load_plan(through_the_workbook(rows), by=admin_user, force=True, remove=True)
    assert next_plan.indicators.filter(code=CODE).exists()
    assert Observation.objects.filter(indicator__code=CODE, year=2026).count() == 1


def test_an_indicator_a_later_plan_continues_is_not_deleted_with_its_plans_upload(plan, admin_user):
    first = small_plan()
    first["plan"]["code"], first["baselines"] = "first", []
    first["plan"]["fields"].update(base_year=2040, target_year=2045)
    for row in first["targets"]:
        row["year"] = 2045
    load_plan(through_the_workbook(first), by=admin_user)
    load_plan(through_the_workbook(one_indicator_plan("second", 2045, 2050, "first/" + CODE)), by=admin_user)
    first["indicators"] = [r for r in first["indicators"] if r["code"] != CODE]
    first["targets"] = [r for r in first["targets"] if r["indicator"] != CODE]
    with pytest.raises(Refused, match="second/" + CODE):
        load_plan(through_the_workbook(first), by=admin_user, force=True, remove=True)
    assert Indicator.objects.filter(plan__code="first", code=CODE).exists()


def test_two_indicators_continuing_the_same_one_are_refused_with_a_message(plan, next_plan, admin_user):
    rows = next_plan_rows()
    rows["indicators"][2]["continues"] = f"{OLD_PLAN}/{CODE}"
    rows["indicators"][2]["fields"]["name"] = "高等教育毛入学率（另一）"
    with pytest.raises(workbook_reading.BadWorkbook) as refused:
        through_the_workbook(rows)
    (message,) = refused.value.errors
    assert message.startswith("工作表“指标”第4行") and "第2行" in message
    # Another plan continuing what the next plan continues already.
    other = next_plan_rows()
    other["plan"]["code"] = "other-plan"
    with pytest.raises(workbook_reading.BadWorkbook) as refused:
        through_the_workbook(other)
    assert "next-plan/higher_ed_gross_enrolment" in refused.value.errors[0]
    with pytest.raises(Refused, match="next-plan"):
        load_plan(other, by=admin_user)
    assert not Plan.objects.filter(code="other-plan").exists()


def test_the_continuation_is_cleared_by_emptying_its_cell(plan, next_plan, admin_user):
    data = workbook.write_workbook(dump_plan(next_plan))
    book = load_workbook(io.BytesIO(data))
    sheet = book["指标"]
    letter = next(cell.column_letter for cell in sheet[1] if cell.value == "延续指标")
    row = next(cell.row for cell in sheet["A"] if cell.value == CODE)
    assert sheet[f"{letter}{row}"].value == f"{OLD_PLAN}/{CODE}"
    sheet[f"{letter}{row}"] = None
    out = io.BytesIO()
    book.save(out)
    rows = workbook_reading.read_workbook(out.getvalue())
    preview = load_plan(rows, by=admin_user, force=True, remove=True, dry_run=True)
    assert [(c.sheet, c.key, c.action) for c in preview.changes] == [("指标", CODE, "changed")]
    load_plan(rows, by=admin_user, force=True, remove=True)
    assert next_plan.indicators.get(code=CODE).continues is None
