"""The 待核实 rule, on the real fixtures: a guess, or any text that still holds a gap, is flagged."""

import csv

import pytest

from figures.plan_loading import FIXTURES_DIR
from plans import review_flags
from plans.models import Indicator, Task, TaskItem, TextTarget

REFERENCE = FIXTURES_DIR / "fujian-14th-education"


def reference(name):
    with open(REFERENCE / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("学校体育…提升…", ["…"]),
        ("每位学生1~2（量词缺失）", ["（量词缺失）"]),
        ("（标题缺失；推测：应用型本科高校建设）", ["（标题缺失；推测：应用型本科高校建设）"]),
        ("完善大中小幼一体化德育工作体系", []),
        ("每个县（市）至少有1所一级达标高中", []),
    ],
)
def test_gaps_are_the_ellipsis_and_the_bracketed_markers(text, found):
    assert review_flags.gaps(text) == found


def test_a_medium_row_with_a_gap_is_flagged_and_a_high_one_without_is_not():
    assert review_flags.needs_review("medium", "创建…100所")
    assert review_flags.needs_review("low", "完整的文字")
    assert not review_flags.needs_review("high", "完整的文字")


@pytest.mark.django_db
def test_every_loaded_text_with_a_gap_is_flagged_whatever_its_confidence(plan):
    kinds = {
        "tasks": Task.objects.filter(plan=plan),
        "task_items": TaskItem.objects.filter(task__plan=plan),
        "indicators": Indicator.objects.filter(plan=plan),
        "text_targets": TextTarget.objects.filter(plan=plan),
    }
    for kind, rows in kinds.items():
        for row in rows:
            texts = [getattr(row, name) for name in review_flags.TEXT_FIELDS[kind]]
            expected = row.confidence in {"low", "missing"} or any(review_flags.GAP.search(t) for t in texts)
            assert row.needs_review == expected, (kind, row.pk)


@pytest.mark.django_db
def test_the_fifteen_medium_key_project_rows_with_gaps_are_now_flagged(plan):
    medium_with_gaps = {
        row["code"]
        for row in reference("projects.csv")
        if row["confidence"] == "medium"
        and review_flags.gaps(row["project_zh"], row["target_zh"], row["unit"], row["value"])
    }
    assert len(medium_with_gaps) == 15
    loaded = set(TextTarget.objects.filter(plan=plan, code__in=medium_with_gaps).values_list("code", "needs_review"))
    loaded |= set(Indicator.objects.filter(plan=plan, code__in=medium_with_gaps).values_list("code", "needs_review"))
    # Rows merged into another indicator become its milestones, not rows of their own.
    assert loaded and all(flagged for _code, flagged in loaded)
