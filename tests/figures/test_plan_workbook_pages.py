"""The plan workbook pages: download, upload with preview and confirm, refusals, and the 待核实 list."""

import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from figures.models import Observation
from figures.plan_dumping import dump_plan
from plans import workbook, workbook_reading
from plans.models import Indicator, Plan, Target

pytestmark = pytest.mark.django_db


def upload(client, data, name="plan.xlsx"):
    return client.post(reverse("plans:workbook"), {"file": SimpleUploadedFile(name, data)})


def small_plan():
    """A 2025–2030 plan of three indicators, one being 高等教育毛入学率 as Fujian's plan has it."""
    indicator = {
        "group": "",
        "name_en": "",
        "direction": "increase",
        "decimals": 2,
        "min_value": Decimal(0),
        "max_value": Decimal(100),
        "whole_number": False,
        "attribute": "",
        "definition": "",
        "section": "表1",
        "source_detail": "",
        "cumulative": False,
        "is_main": True,
        "sum_check": False,
        "sum_tolerance": Decimal(0),
        "district_order": None,
        "confidence": "high",
    }
    rows = [
        ("higher_ed_gross_enrolment", "高等教育毛入学率", "%", 1, Decimal("150")),
        ("preschool_gross_enrolment", "学前教育毛入园率", "%", 2, Decimal("150")),
        ("putonghua_rate", "普通话普及率", "%", 3, Decimal("100")),
    ]
    return {
        "plan": {
            "code": "next-plan",
            "fields": {
                "name": "“十五五”教育发展规划（试）",
                "document_number": "",
                "base_year": 2025,
                "target_year": 2030,
                "ahead_ratio": Decimal("1.1"),
                "on_track_ratio": Decimal("0.9"),
                "large_move_share": Decimal("0.2"),
                "large_move_points": Decimal(5),
            },
        },
        "districts": [],
        "tasks": [],
        "task_items": [],
        "indicators": [
            {
                "code": code,
                "task_number": None,
                "fields": dict(indicator, name=name, unit=unit, order=order, max_value=most),
            }
            for code, name, unit, order, most in rows
        ],
        "targets": [
            {
                "indicator": code,
                "district": "350000",
                "year": 2030,
                "fields": {"value": Decimal(90), "upper": None, "operator": ""},
            }
            for code, *_rest in rows
        ],
        "baselines": [
            {"indicator": code, "district": "350000", "year": 2025, "fields": {"value": Decimal(80), "source": "测试"}}
            for code, *_rest in rows
        ],
        "text_targets": [],
    }


def test_only_administrators_may_use_the_workbook(client, make_user, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("plans:workbook")).status_code == 403
    assert client.get(reverse("plans:workbook-download", args=["fujian-14th-education"])).status_code == 403
    loader = make_user("loader")
    loader.user_permissions.add(Permission.objects.get(codename="load_plan", content_type__app_label="plans"))
    client.force_login(loader)
    assert client.get(reverse("plans:workbook")).status_code == 200


def test_an_administrator_downloads_the_plan_as_a_workbook(client, make_user, plan):
    client.force_login(make_user("root", superuser=True))
    response = client.get(reverse("plans:workbook-download", args=[plan.code]))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert workbook_reading.read_workbook(data) == dump_plan(plan)


def test_a_second_plan_is_created_through_the_upload_alongside_fujians(client, make_user, plan):
    root = make_user("root", superuser=True)
    client.force_login(root)
    response = upload(client, workbook.write_workbook(small_plan()))
    assert response.status_code == 302 and response["Location"] == reverse("plans:workbook-preview")
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert "新建规划 next-plan" in html and "higher_ed_gross_enrolment" in html
    assert not Plan.objects.filter(code="next-plan").exists()  # nothing saved before confirming
    response = client.post(reverse("plans:workbook-confirm"))
    assert response.status_code == 302
    new = Plan.objects.get(code="next-plan")
    assert (new.base_year, new.target_year) == (2025, 2030)
    assert Plan.objects.filter(code=plan.code).exists()
    ours = Indicator.objects.get(plan=new, code="higher_ed_gross_enrolment")
    theirs = Indicator.objects.get(plan=plan, code="higher_ed_gross_enrolment")
    assert (ours.name, ours.unit, ours.direction, ours.decimals) == (
        theirs.name,
        theirs.unit,
        theirs.direction,
        theirs.decimals,
    )
    assert Indicator.objects.filter(plan=new).count() == 3 and Indicator.objects.filter(plan=plan).count() == 46
    assert Target.objects.get(indicator=ours).year == 2030
    baseline = Observation.objects.get(indicator=ours)
    assert (baseline.year, baseline.value, baseline.approved_by) == (2025, 80, root)
    assert new.history.get().history_user == root


def test_a_bad_workbook_is_refused_with_its_sheet_row_and_column(client, make_user, plan):
    client.force_login(make_user("root", superuser=True))
    book = load_workbook(io.BytesIO(workbook.write_workbook(dump_plan(plan))))
    book["指标"]["D2"] = None  # 名称
    out = io.BytesIO()
    book.save(out)
    response = upload(client, out.getvalue())
    assert response.status_code == 200
    assert "工作表“指标”第2行D列（名称）：不能为空。" in response.content.decode()


def test_the_preview_refuses_to_remove_an_indicator_with_figures(client, make_user, plan):
    client.force_login(make_user("root", superuser=True))
    data = dump_plan(plan)
    data["indicators"] = [r for r in data["indicators"] if r["code"] != "putonghua_rate"]
    data["targets"] = [r for r in data["targets"] if r["indicator"] != "putonghua_rate"]
    data["baselines"] = [r for r in data["baselines"] if r["indicator"] != "putonghua_rate"]
    upload(client, workbook.write_workbook(data))
    html = client.get(reverse("plans:workbook-preview")).content.decode()
    assert "不能删除" in html and "putonghua_rate" in html and "确认保存" not in html
    client.post(reverse("plans:workbook-confirm"))
    assert Indicator.objects.filter(plan=plan, code="putonghua_rate").exists()


def test_the_review_list_names_every_flag_with_its_reason(client, reviewer, plan):
    client.force_login(reviewer)
    html = client.get(reverse("plans:review-flags")).content.decode()
    assert "复原可信度：缺失" in html  # task 10
    assert '缺损标记：<span lang="zh-Hans">…</span>' in html
    assert "chinese_culture_art_heritage_schools" in html  # medium, but its text has gaps


def test_the_review_list_is_not_for_district_staff(client, make_user):
    client.force_login(make_user("someone"))
    assert client.get(reverse("plans:review-flags")).status_code == 403


def test_the_preview_is_computed_once_per_upload_not_on_every_refresh(
    client, make_user, plan, django_assert_max_num_queries
):
    client.force_login(make_user("root", superuser=True))
    data = dump_plan(plan)
    next(r for r in data["targets"] if r["indicator"] == "putonghua_rate")["fields"]["value"] += 1
    upload(client, workbook.write_workbook(data))
    first = client.get(reverse("plans:workbook-preview")).content.decode()
    # Refreshing reads the stored preview: no workbook read again, no trial load of the whole plan.
    with django_assert_max_num_queries(8):
        again = client.get(reverse("plans:workbook-preview")).content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub("", again) == token.sub("", first) and "普通话普及率 全省 2025" in again and "确认保存" in again
    client.post(reverse("plans:workbook-confirm"))
    assert Target.objects.get(indicator__plan=plan, indicator__code="putonghua_rate", year=2025).value == 93


def test_the_preview_shows_what_blocks_first_then_changes_by_name_and_folds_the_rest(client, make_user, plan):
    client.force_login(make_user("root", superuser=True))
    data = dump_plan(plan)
    next(r for r in data["targets"] if r["indicator"] == "putonghua_rate")["fields"]["value"] = Decimal(93)
    # Removing an indicator with figures blocks the upload; it is listed first, whatever its sheet.
    data["indicators"] = [r for r in data["indicators"] if r["code"] != "preschool_gross_enrolment"]
    data["targets"] = [r for r in data["targets"] if r["indicator"] != "preschool_gross_enrolment"]
    data["baselines"] = [r for r in data["baselines"] if r["indicator"] != "preschool_gross_enrolment"]
    upload(client, workbook.write_workbook(data))
    html = client.get(reverse("plans:workbook-preview")).content.decode()
    blocking, changed = html.index("preschool_gross_enrolment"), html.index("普通话普及率 全省 2025")
    assert blocking < changed
    # By name, and with the indicator's decimals rather than the stored four.
    assert "92.00 → 93.00" in html and "92.0000" not in html
    # The rows nothing happens to are a count that opens on a click.
    unchanged = re.findall(r"<details[^>]*>\s*<summary>无变化 (\d+) 行</summary>", html)
    assert len(unchanged) >= 5 and sum(map(int, unchanged)) > 300


def test_a_new_plans_rows_are_folded_into_a_count(client, make_user, plan):
    client.force_login(make_user("root", superuser=True))
    upload(client, workbook.write_workbook(small_plan()))
    html = client.get(reverse("plans:workbook-preview")).content.decode()
    assert re.search(r"<details[^>]*>\s*<summary>新增 3 行</summary>.*高等教育毛入学率", html, re.S)
    assert 'data-change="new"><td>' not in html  # no table row per new row
