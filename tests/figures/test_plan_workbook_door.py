"""The plan workbook is a door like the others: every field is checked and refused with its sheet, row and column,
reserved plan codes are refused wherever a plan is made, and no value reaches the database as a 500."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from figures.plan_loading import Refused, load_plan
from plans import workbook, workbook_reading
from plans.models import Plan
from tests.figures.test_plan_workbook_pages import small_plan, upload

pytestmark = pytest.mark.django_db


def edited(data, sheet, header, value, row=2):
    """The workbook with one cell, found by its column's header, set to `value`."""
    book = load_workbook(io.BytesIO(data))
    page = book[sheet]
    letter = next(cell.column_letter for cell in page[1] if cell.value == header)
    page[f"{letter}{row}"] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refusal(data):
    with pytest.raises(workbook_reading.BadWorkbook) as refused:
        workbook_reading.read_workbook(data)
    return refused.value.errors


def the_small_plan():
    return workbook.write_workbook(small_plan())


def test_a_plan_code_the_site_uses_in_its_addresses_is_refused_by_the_workbook_and_the_loader(admin_user):
    code = "workbook"
    errors = refusal(edited(the_small_plan(), "规划", "代码", code))
    assert errors == ["工作表“规划”第2行A列（代码）：“workbook”是网址保留字，不能作为规划代码。"]
    rows = small_plan()
    rows["plan"]["code"] = code
    with pytest.raises(Refused, match="网址保留字"):
        load_plan(rows, by=admin_user)
    assert not Plan.objects.filter(code=code).exists()


def test_every_word_after_plans_in_the_sites_own_addresses_is_reserved():
    from django.urls import get_resolver

    from plans.models import RESERVED_PLAN_CODES

    words = set()
    for pattern in get_resolver().url_patterns:
        if str(pattern.pattern):
            continue  # the admin and the like, under their own prefix
        for inner in getattr(pattern, "url_patterns", []):
            route = str(inner.pattern)
            if route.startswith("plans/") and not route.startswith("plans/<"):
                words.add(route.split("/")[1])
    assert words and words <= RESERVED_PLAN_CODES


@pytest.mark.parametrize(
    "sheet, header, value, row, message",
    [
        ("规划", "快于预期阈值", 12345, 2, "快于预期阈值"),
        ("规划", "快于预期阈值", 0.95, 2, "快于预期阈值"),
        ("规划", "符合预期阈值", 1.5, 2, "符合预期阈值"),
        ("规划", "大幅变动比例", 0, 2, "大幅变动比例"),
        ("规划", "大幅变动百分点", 1e6, 2, "大幅变动百分点"),
        ("规划", "大幅变动百分点", 101, 2, "大幅变动百分点"),
        ("规划", "目标年份", 99999, 2, "目标年份"),
        ("规划", "目标年份", 2056, 2, "目标年份"),
        ("规划", "基期年份", 1000, 2, "基期年份"),
        ("指标", "小数位数", -1, 2, "小数位数"),
        ("指标", "小数位数", 7, 2, "小数位数"),
        ("指标", "排序", 40000, 2, "排序"),
        ("指标", "排序", -1, 2, "排序"),
        ("指标", "合理下限", 1e20, 2, "合理下限"),
        ("指标", "合理上限", -1e20, 2, "合理上限"),
        ("指标", "加总容差", 1e12, 2, "加总容差"),
        ("指标", "加总容差", -1, 2, "加总容差"),
        ("指标", "分地区表列序", 40000, 2, "分地区表列序"),
        ("分地区目标", "数值", 1e20, 2, "数值"),
        ("分地区目标", "上限", 1e20, 2, "上限"),
        ("任务内容", "排序", 40000, 2, "排序"),
    ],
)
def test_a_value_out_of_its_range_is_refused_naming_sheet_row_and_column(sheet, header, value, row, message, plan):
    data = small_plan()
    task = {"category": "类", "title": "任务", "title_en": "", "department": "", "confidence": "high"}
    data["tasks"] = [{"number": 1, "fields": task}]
    data["task_items"] = [
        {"number": 1, "order": 1, "fields": {"content": "内容", "quantitative_target": "", "confidence": "high"}}
    ]
    errors = refusal(edited(workbook.write_workbook(data), sheet, header, value, row))
    assert any(e.startswith(f"工作表“{sheet}”第{row}行") and f"（{message}）" in e for e in errors), errors


def test_values_just_inside_their_ranges_are_taken(plan):
    data = the_small_plan()
    for sheet, header, value in [
        ("规划", "快于预期阈值", 1),
        ("规划", "符合预期阈值", 1),
        ("规划", "大幅变动百分点", 100),
        ("规划", "目标年份", 2055),
        ("指标", "小数位数", 4),
        ("指标", "排序", 32767),
        ("指标", "合理上限", 10**11 - 1),
        ("分地区目标", "数值", 10**11 - 1),
    ]:
        data = edited(data, sheet, header, value)
    rows = workbook_reading.read_workbook(data)
    assert rows["plan"]["fields"]["target_year"] == 2055
    assert rows["indicators"][0]["fields"]["decimals"] == 4


@pytest.mark.parametrize(
    "sheet, header, value",
    [
        ("规划", "目标年份", 99999),
        ("规划", "快于预期阈值", 12345),
        ("指标", "小数位数", -1),
        ("指标", "小数位数", 5),
        ("指标", "排序", 40000),
        ("分地区目标", "数值", 1e20),
        ("指标", "合理下限", 1e20),
    ],
)
def test_the_upload_page_names_the_cell_and_never_fails(client, make_user, plan, sheet, header, value):
    client.force_login(make_user("root", superuser=True))
    response = upload(client, edited(the_small_plan(), sheet, header, value))
    assert response.status_code == 200
    assert any(f"（{header}）" in e for e in response.context["form"].errors["file"])


def test_a_count_whose_lower_bound_is_above_the_default_count_ceiling_is_previewed_not_a_500(client, make_user, plan):
    client.force_login(make_user("root", superuser=True))
    rows = small_plan()
    rows["indicators"][0]["fields"].update(whole_number=True, min_value=Decimal(2 * 10**9), max_value=None)
    rows["baselines"], rows["targets"] = [], []
    response = upload(client, workbook.write_workbook(rows))
    assert response.status_code == 302
    assert client.get(reverse("plans:workbook-preview")).status_code == 200
