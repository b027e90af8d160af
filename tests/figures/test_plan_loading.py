"""The whole plan is in the database exactly as the restored reference tables say."""

import csv
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError

from figures.models import Observation
from figures.plan_loading import FIXTURES_DIR
from plans.models import District, Indicator, Plan, Target, Task, TaskItem, TextTarget

REFERENCE = FIXTURES_DIR / "fujian-14th-education"
pytestmark = pytest.mark.django_db


def reference(name):
    with open(REFERENCE / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_plan_metadata_names_the_document(plan):
    assert plan.name == "福建省“十四五”教育发展专项规划"
    assert plan.document_number == "闽政办〔2021〕50号"
    assert (plan.base_year, plan.target_year) == (2020, 2025)


def test_the_province_and_ten_districts_load_in_the_plans_order():
    assert list(District.objects.values_list("code", "short_name")) == [
        ("350000", "全省"),
        ("350100", "福州"),
        ("350200", "厦门"),
        ("350300", "莆田"),
        ("350400", "三明"),
        ("350500", "泉州"),
        ("350600", "漳州"),
        ("350700", "南平"),
        ("350800", "龙岩"),
        ("350900", "宁德"),
        ("350128", "平潭"),
    ]


@pytest.mark.parametrize("row", reference("indicators.csv"), ids=lambda row: row["code"])
def test_every_main_indicator_has_the_plans_baseline_target_and_operator(plan, row):
    indicator = Indicator.objects.get(plan=plan, code=row["code"])
    assert (indicator.name, indicator.unit, indicator.section) == (row["name_zh"], row["unit"], "专栏1")
    baseline = Observation.objects.get(indicator=indicator, district__code="350000", year=2020)
    assert baseline.value == Decimal(row["baseline_2020"])
    assert baseline.status == "approved" and baseline.source == plan.name
    target = Target.objects.get(indicator=indicator, district__code="350000", year=2025)
    assert (target.value, target.operator) == (Decimal(row["target_2025"]), row["target_operator"])


def test_hold_the_level_targets_keep_their_strict_operator(plan):
    retention = Target.objects.get(indicator__code="compulsory_retention", year=2025)
    assert retention.display == ">99"
    assert Target.objects.get(indicator__code="higher_ed_gross_enrolment", year=2025).display == "65"


@pytest.mark.parametrize(
    "row", reference("district_targets.csv"), ids=lambda r: f"{r['district_code']}-{r['metric_code']}-{r['year']}"
)
def test_every_cell_of_the_district_table_is_loaded(row):
    cell = {"indicator__code": row["indicator_code"], "district__code": row["district_code"], "year": row["year"]}
    if row["value_type"] == "baseline":
        assert Observation.objects.get(**cell, status="approved").value == Decimal(row["value"])
    else:
        target = Target.objects.get(**cell)
        assert (target.value, target.operator) == (Decimal(row["value"]), row["operator"])


def test_blank_district_cells_stay_blank():
    # 平潭 has no 2023 county-count targets in the plan: nothing is invented for them.
    assert not Target.objects.filter(district__code="350128", year=2023, indicator__cumulative=True).exists()


def test_county_counts_are_cumulative_indicators_of_their_own(plan):
    counts = Indicator.objects.filter(plan=plan, section="附件2", group="分地区目标")
    assert sorted(counts.values_list("code", flat=True)) == [
        "compulsory_quality_balanced_counties",
        "preschool_inclusive_inspection_counties",
    ]
    assert all(i.cumulative and i.whole_number and i.unit == "个" for i in counts)


def test_high_school_size_gains_the_district_milestones():
    targets = Target.objects.filter(indicator__code="general_high_school_enrolment", district__code="350000")
    assert list(targets.values_list("year", "value")) == [(2023, Decimal("83")), (2025, Decimal("87"))]
    assert Target.objects.filter(indicator__code="general_high_school_enrolment").count() == 22


def test_trackable_key_projects_become_indicators_linked_to_their_task(plan):
    projects = reference("projects.csv")
    trackable = {r["code"] for r in projects if r["trackable"] == "true" and not r["merge_into"]}
    assert trackable <= set(Indicator.objects.values_list("code", flat=True))
    heritage = Indicator.objects.get(code="chinese_culture_art_heritage_schools")
    assert (heritage.task.number, heritage.cumulative, heritage.whole_number) == (3, True, True)
    marxism = Target.objects.get(indicator__code="marxism_doctoral_programmes")
    assert (marxism.value, marxism.upper, marxism.year, marxism.display) == (2, 3, 2023, "2~3")


def test_merged_key_project_rows_become_milestones_of_one_indicator():
    dual = Target.objects.filter(indicator__code="dual_qualified_teacher_share", district__code="350000")
    assert [(t.year, t.display) for t in dual] == [(2023, "≥70"), (2025, "75")]
    share = Target.objects.filter(indicator__code="inclusive_kindergarten_enrolment_share_province")
    assert [(t.year, t.display) for t in share] == [(2023, "≥90"), (2025, "≥90")]


def test_untracked_key_projects_are_text_targets_with_their_task(plan):
    projects = reference("projects.csv")
    untracked = {r["code"] for r in projects if r["trackable"] == "false"}
    assert set(TextTarget.objects.filter(plan=plan).values_list("code", flat=True)) == untracked
    later = TextTarget.objects.get(code="standard_special_ed_school_per_county_pop_200k_2023")
    assert later.same_as.code == "standard_special_ed_school_per_county_pop_200k"
    assert later.task.number == 7


def test_thirty_tasks_with_their_items_and_task_10_kept_as_missing(plan):
    assert Task.objects.filter(plan=plan).count() == 30
    assert TaskItem.objects.filter(task__plan=plan).count() == len(reference("tasks_items.csv"))
    missing = Task.objects.get(plan=plan, number=10)
    assert (missing.title, missing.confidence, missing.needs_review) == ("", "missing", True)
    assert not missing.items.exists()
    assert Task.objects.get(plan=plan, number=1).items.count() == 4


def test_low_confidence_restorations_are_flagged_for_review(plan):
    flagged = {r["code"] for r in reference("indicators.csv") if r["confidence"] in ("low", "missing")}
    assert flagged <= set(Indicator.objects.filter(section="专栏1", needs_review=True).values_list("code", flat=True))
    assert Task.objects.filter(needs_review=True).count() == sum(
        r["confidence"] in ("low", "missing") for r in reference("tasks.csv")
    )


def snapshot():
    models = [Plan, District, Indicator, Target, Observation, Task, TaskItem, TextTarget]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def test_loading_the_plan_twice_changes_nothing(capsys):
    before = snapshot()
    call_command("load_plan")
    assert snapshot() == before
    assert "新增 0 行" in capsys.readouterr().out


def test_an_administrators_correction_is_reported_and_kept_unless_forced(capsys):
    Indicator.objects.filter(code="putonghua_rate").update(name="普通话普及率（修订）")
    call_command("load_plan")
    out = capsys.readouterr().out
    assert "指标 putonghua_rate name" in out and "普通话普及率（修订）" in out and "--force" in out
    assert Indicator.objects.get(code="putonghua_rate").name == "普通话普及率（修订）"
    call_command("load_plan", "--force")
    assert Indicator.objects.get(code="putonghua_rate").name == "普通话普及率"


def test_the_database_refuses_a_second_figure_for_the_same_cell(plan):
    baseline = Observation.objects.get(indicator__code="putonghua_rate", year=2020)
    baseline.pk = None
    with pytest.raises(IntegrityError):
        baseline.save()


def test_the_database_refuses_an_unknown_status():
    with pytest.raises(IntegrityError):
        Observation.objects.filter(indicator__code="putonghua_rate").update(status="maybe")
