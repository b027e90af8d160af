"""Rules between indicators as plan data: the workbook's 校验规则 sheet and the fixtures' rules.csv round-trip, a bad
rule is refused naming its sheet, row and column (or file, line and column); the admin checks a rule alike."""

import io
import shutil
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from figures.plan_dumping import dump_plan
from figures.plan_loading import FIXTURES_DIR, load_plan
from plans import workbook, workbook_reading
from plans.fixture_files import read_folder
from plans.models import Rule
from tests.figures.test_plan_workbook_pages import small_plan

pytestmark = pytest.mark.django_db


def test_the_plans_rules_round_trip_through_the_workbook_unchanged(plan):
    data = dump_plan(plan)
    assert [r["code"] for r in data["rules"]] == [
        "doctoral_programmes_contain_marxism",
        "higher_ed_total_contains_parts",
        "inclusive_kindergartens_contain_public",
    ]
    back = workbook_reading.read_workbook(workbook.write_workbook(data))
    assert back["rules"] == data["rules"]
    report = load_plan(back, remove=True, dry_run=True)
    assert [c for c in report.changes if c.sheet == "校验规则"] == []
    assert sum(sheet == "校验规则" for sheet, _name in report.unchanged) == 3


def test_a_rule_changed_in_the_workbook_is_listed_then_written_with_its_history(plan, make_user):
    administrator = make_user("boss", superuser=True)
    data = dump_plan(plan)
    rule = next(r for r in data["rules"] if r["code"] == "higher_ed_total_contains_parts")
    rule["fields"].update(tolerance=Decimal("0.05"), right="undergraduate_enrolment+higher_vocational_enrolment")
    back = workbook_reading.read_workbook(workbook.write_workbook(data))
    report = load_plan(back, remove=True, force=True, by=administrator)
    [change] = [c for c in report.changes if c.sheet == "校验规则"]
    assert {str(field) for field, _old, _new in change.details} == {"容差", "右边"}
    stored = Rule.objects.get(code="higher_ed_total_contains_parts")
    assert stored.sides()[1] == "undergraduate_enrolment + higher_vocational_enrolment"
    assert stored.tolerance == Decimal("0.05")
    assert stored.history.first().history_user == administrator


def test_a_rule_left_out_of_the_workbook_is_removed(plan):
    data = dump_plan(plan)
    data["rules"] = [r for r in data["rules"] if r["code"] != "doctoral_programmes_contain_marxism"]
    load_plan(workbook_reading.read_workbook(workbook.write_workbook(data)), remove=True, force=True)
    assert not Rule.objects.filter(code="doctoral_programmes_contain_marxism").exists()


def test_a_workbook_without_the_sheet_leaves_the_rules_as_they_are(plan):
    book = load_workbook(io.BytesIO(workbook.write_workbook(dump_plan(plan))))
    del book["校验规则"]
    buffer = io.BytesIO()
    book.save(buffer)
    data = workbook_reading.read_workbook(buffer.getvalue())
    assert "rules" not in data
    load_plan(data, remove=True, force=True)
    assert Rule.objects.filter(plan=plan).count() == 3


def a_rule(**fields):
    return {
        "code": "gross_above_putonghua",
        "fields": {
            "name": "测试规则",
            "left": "higher_ed_gross_enrolment",
            "operator": "≥",
            "right": "preschool_gross_enrolment",
            "tolerance": Decimal(0),
            "districts": "",
            "weight": "需确认",
            "reason": "测试用",
            **fields,
        },
    }


@pytest.mark.parametrize(
    ("fields", "column", "message"),
    [
        ({"left": "no_such_indicator"}, "C列（左边）", "本规划没有指标“no_such_indicator”"),
        ({"right": "putonghua_rate"}, "E列（右边）", "单位（万人）与“高等教育毛入学率”（%）不同：请写明换算系数"),
        ({"operator": ">"}, "D列（运算符）", "须为以下之一：≥、≤、="),
        ({"tolerance": Decimal(-1)}, "F列（容差）", "0"),
        ({"right": "2*higher_ed_gross_enrolment"}, "E列（右边）", "只有在各项数据都为 0 时才成立"),
        (
            {"left": "higher_ed_gross_enrolment + preschool_gross_enrolment"},
            "E列（右边）",
            "对任何数据都成立",
        ),
        ({"right": "higher_ed_gross_enrolment"}, "E列（右边）", "两边相同"),
        ({"right": ""}, "E列（右边）", "不能为空"),
        ({"right": "preschool_gross_enrolment preschool"}, "E列（右边）", "看不懂"),
        ({"right": "preschool_gross_enrolment + preschool_gross_enrolment"}, "E列（右边）", "出现了两次"),
        ({"districts": "350100, 999999"}, "G列（适用地区）", "没有行政区划代码为 999999 的地区"),
        ({"weight": "必须"}, "H列（违反时）", "须为以下之一：需确认、仅提示"),
        ({"reason": ""}, "I列（理由）", "不能为空"),
    ],
)
def test_a_bad_rule_is_refused_naming_sheet_row_and_column(plan, fields, column, message):
    data = small_plan()
    putonghua = next(i for i in data["indicators"] if i["code"] == "putonghua_rate")
    putonghua["fields"]["unit"] = "万人"
    data["rules"] = [a_rule(), a_rule(**fields) | {"code": "second"}]
    with pytest.raises(workbook_reading.BadWorkbook) as refused:
        workbook_reading.read_workbook(workbook.write_workbook(data))
    [error] = refused.value.errors
    assert error.startswith(f"工作表“校验规则”第3行{column}：") and message in error, error


def test_a_coefficient_converts_units_and_a_minus_sign_subtracts(plan):
    data = small_plan()
    next(i for i in data["indicators"] if i["code"] == "putonghua_rate")["fields"]["unit"] = "万人"
    data["rules"] = [a_rule(right="0.5*putonghua_rate − preschool_gross_enrolment", districts="350000")]
    [rule] = workbook_reading.read_workbook(workbook.write_workbook(data))["rules"]
    assert rule["fields"]["right"] == "0.5*putonghua_rate - preschool_gross_enrolment"


@pytest.fixture
def folder(tmp_path):
    copy = tmp_path / "plan"
    shutil.copytree(FIXTURES_DIR / "fujian-14th-education", copy)
    return copy


def test_the_fixture_folder_reads_its_rules(folder):
    rules = {r["code"]: r["fields"] for r in read_folder(folder)["rules"]}
    assert rules["inclusive_kindergartens_contain_public"]["right"] == "public_kindergarten_rate_province"


def test_a_bad_line_of_rules_csv_stops_load_plan_naming_line_and_column(folder):
    path = folder / "rules.csv"
    lines = path.read_text("utf-8").splitlines()
    lines[2] = lines[2].replace("public_kindergarten_rate_province", "public_kindergarten_rate")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(ValueError, match="rules.csv 第3行 right：本规划没有指标“public_kindergarten_rate”"):
        read_folder(folder)
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="rules.csv 第3行 right"):
        call_command("load_plan", str(folder), verbosity=0)


def test_an_administrator_edits_a_rule_in_the_admin_with_its_sides_checked(client, make_user, plan):
    client.force_login(make_user("root", superuser=True))
    rule = Rule.objects.get(code="doctoral_programmes_contain_marxism")
    url = reverse("admin:plans_rule_change", args=[rule.pk])
    page = client.get(url)
    assert page.context["adminform"].form.initial["right"] == "marxism_doctoral_programmes"
    data = {
        "plan": plan.pk,
        "code": rule.code,
        "name": rule.name,
        "left": "doctoral_degree_programmes_new",
        "operator": "≥",
        "right": "marxism_doctoral_programmes + no_such_indicator",
        "tolerance": "0",
        "districts": "",
        "weight": "仅提示",
        "reason": rule.reason,
    }
    refused = client.post(url, data)
    assert "本规划没有指标“no_such_indicator”" in refused.content.decode()
    client.post(url, {**data, "right": "marxism_doctoral_programmes + peak_plateau_disciplines"})
    rule.refresh_from_db()
    assert rule.weight == "仅提示"
    assert rule.sides() == ("doctoral_degree_programmes_new", "marxism_doctoral_programmes + peak_plateau_disciplines")
