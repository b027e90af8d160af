"""The plan as a workbook: written from the database, read back to the same rows, loaded by the one loader."""

import io

import pytest
from django.forms.models import model_to_dict
from openpyxl import load_workbook

from figures.models import Observation
from figures.plan_dumping import dump_plan
from figures.plan_loading import Refused, load_plan
from plans import workbook, workbook_reading
from plans.models import Indicator, Plan, Rule, Target, Task, TaskItem, TextTarget

pytestmark = pytest.mark.django_db


def rows_of(plan):
    """Every row of a plan with every field, links by key instead of id: two plans compare field by field."""

    def fields(obj, exclude=()):
        values = model_to_dict(obj, exclude=("id", "plan", *exclude))
        return {name: value for name, value in values.items()}

    tasks = {t.pk: t.number for t in Task.objects.filter(plan=plan)}
    text_codes = dict(TextTarget.objects.filter(plan=plan).values_list("pk", "code"))
    return {
        # Which plan is current is the administrator's choice, not the plan's data.
        "plan": fields(plan, exclude=("code", "is_current")),
        "tasks": sorted((t.number, fields(t)) for t in Task.objects.filter(plan=plan)),
        "items": sorted(
            ((i.task.number, i.order), fields(i, exclude=("task",))) for i in TaskItem.objects.filter(task__plan=plan)
        ),
        "indicators": {
            i.code: dict(fields(i, exclude=("task",)), task=tasks.get(i.task_id))
            for i in Indicator.objects.filter(plan=plan)
        },
        "rules": {
            r.code: (fields(r), r.sides()) for r in Rule.objects.filter(plan=plan).prefetch_related("terms__indicator")
        },
        "targets": {
            (t.indicator.code, t.district.code, t.year): fields(t, exclude=("indicator",))
            for t in Target.objects.filter(indicator__plan=plan).select_related("indicator", "district")
        },
        "baselines": {
            (o.indicator.code, o.district.code, o.year): (o.value, o.source, o.status)
            for o in Observation.objects.approved().filter(indicator__plan=plan, year=plan.base_year)
        },
        "text_targets": {
            t.code: dict(
                fields(t, exclude=("task", "same_as")), task=tasks.get(t.task_id), same_as=text_codes.get(t.same_as_id)
            )
            for t in TextTarget.objects.filter(plan=plan)
        },
    }


def test_the_workbook_reads_back_to_the_rows_it_was_written_from(plan):
    data = dump_plan(plan)
    assert workbook_reading.read_workbook(workbook.write_workbook(data)) == data


def test_the_workbook_has_the_eight_sheets_with_flags(plan):
    book = load_workbook(io.BytesIO(workbook.write_workbook(dump_plan(plan))), read_only=True)
    assert book.sheetnames == ["规划", "指标", "分地区目标", "任务", "任务内容", "重点项目", "文字目标", "校验规则"]
    tasks = list(book["任务"].iter_rows(values_only=True))
    assert tasks[0][-2:] == ("待核实", "待核实原因")
    missing = next(row for row in tasks if row[0] == 10)
    assert missing[-2] == "是" and "缺失" in missing[-1]


def test_the_fujian_plan_loaded_from_its_workbook_equals_the_plan_loaded_from_its_fixtures(plan, admin_user):
    data = workbook_reading.read_workbook(workbook.write_workbook(dump_plan(plan)))
    data["plan"]["code"] = "fujian-from-workbook"
    report = load_plan(data, by=admin_user)
    copy = Plan.objects.get(code="fujian-from-workbook")
    assert report.created and not report.differences and not report.refused
    before, after = rows_of(plan), rows_of(copy)
    for kind in before:
        assert after[kind] == before[kind], kind
    assert (len(after["indicators"]), len(after["targets"]), len(after["baselines"])) == (46, 110, 25)
    assert copy.history.get().history_user == admin_user
    # Loading the same workbook again finds nothing to do.
    again = load_plan(data, by=admin_user, remove=True, force=True)
    assert not again.changes


def test_a_changed_target_keeps_its_history_with_the_uploading_user(plan, admin_user):
    data = dump_plan(plan)
    row = next(r for r in data["targets"] if r["indicator"] == "preschool_gross_enrolment")
    row["fields"]["value"] += 1
    report = load_plan(data, by=admin_user, force=True, remove=True)
    assert [(c.sheet, c.action) for c in report.changes] == [("分地区目标", "changed")]
    target = Target.objects.get(indicator__plan=plan, indicator__code="preschool_gross_enrolment", year=2025)
    latest, earlier = target.history.all()[:2]
    assert latest.history_user == admin_user and latest.value == earlier.value + 1


def test_removing_an_indicator_with_figures_is_refused_and_nothing_is_written(plan, admin_user):
    data = dump_plan(plan)
    data["indicators"] = [r for r in data["indicators"] if r["code"] != "preschool_gross_enrolment"]
    data["targets"] = [r for r in data["targets"] if r["indicator"] != "preschool_gross_enrolment"]
    data["baselines"] = [r for r in data["baselines"] if r["indicator"] != "preschool_gross_enrolment"]
    preview = load_plan(data, by=admin_user, force=True, remove=True, dry_run=True)
    refused = [c for c in preview.changes if c.action == "refused"]
    assert [(c.sheet, c.key) for c in refused] == [("指标", "preschool_gross_enrolment")]
    assert "1 个数据" in refused[0].details[0]
    with pytest.raises(Refused):
        load_plan(data, by=admin_user, force=True, remove=True)
    assert Target.objects.filter(indicator__code="preschool_gross_enrolment").exists()


def test_removing_a_text_target_and_a_task_item_is_listed_and_applied(plan, admin_user):
    data = dump_plan(plan)
    code = data["text_targets"][-1]["code"]
    data["text_targets"] = [r for r in data["text_targets"] if r["code"] != code and r["same_as"] != code]
    data["task_items"] = [r for r in data["task_items"] if (r["number"], r["order"]) != (1, 1)]
    preview = load_plan(data, by=admin_user, force=True, remove=True, dry_run=True)
    assert {(c.sheet, c.key) for c in preview.changes if c.action == "removed"} >= {
        ("文字目标", code),
        ("任务内容", "1.1"),
    }
    assert TextTarget.objects.filter(plan=plan, code=code).exists()
    load_plan(data, by=admin_user, force=True, remove=True)
    assert not TextTarget.objects.filter(plan=plan, code=code).exists()
    assert not TaskItem.objects.filter(task__plan=plan, task__number=1, order=1).exists()


def test_a_bad_workbook_is_refused_with_sheet_row_and_column(plan):
    data = workbook.write_workbook(dump_plan(plan))
    book = load_workbook(io.BytesIO(data))
    sheet = book["指标"]
    sheet["G3"] = "sideways"  # 方向
    sheet["H4"] = "two"  # 小数位数
    book["分地区目标"]["A2"] = "no_such_indicator"
    del book["文字目标"]
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(workbook_reading.BadWorkbook) as refused:
        workbook_reading.read_workbook(out.getvalue())
    errors = refused.value.errors
    assert "工作表“文字目标”：缺少此工作表。" in errors
    assert any(e.startswith("工作表“指标”第3行G列（方向）") for e in errors)
    assert any(e.startswith("工作表“指标”第4行H列（小数位数）：须为整数") for e in errors)
    with pytest.raises(workbook_reading.BadWorkbook):
        workbook_reading.read_workbook(b"not a workbook")


def test_the_review_levels_are_plan_data_in_the_workbook(plan):
    data = dump_plan(plan)
    book = load_workbook(io.BytesIO(workbook.write_workbook(data)), read_only=True)
    sheet = book[workbook.PLAN_SHEET]
    header, row = [c.value for c in next(sheet.iter_rows(max_row=1))], next(sheet.iter_rows(min_row=2, max_row=2))
    assert row[header.index("审核层级")].value == 2
    data["plan"]["fields"]["review_levels"] = 3
    with pytest.raises(workbook_reading.BadWorkbook) as refused:
        workbook_reading.read_workbook(workbook.write_workbook(data))
    assert "审核层级须为 1 或 2" in str(refused.value.errors)
