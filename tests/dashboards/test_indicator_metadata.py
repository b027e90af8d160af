"""An administrator describes an indicator (its definition, scope, data source, responsible office); a leader opening
the indicator's page reads it beside the verdict, with how that verdict is computed in words."""

import csv
import io
import re
import shutil

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from figures.plan_dumping import dump_plan
from figures.plan_loading import FIXTURES_DIR, load_plan
from plans import workbook, workbook_reading
from plans.models import Indicator

pytestmark = pytest.mark.django_db

METADATA = {
    "definition": "高等教育在学总规模与18～22岁年龄组人口数之比。",
    "scope": "含普通本专科、研究生、成人本专科和网络本专科。",
    "data_source": "教育事业统计年报",
    "responsible_office": "发展规划处",
    "notes": "2023年起口径含职业本科。",
}


def folder_with_metadata(tmp_path, code, metadata):
    """A copy of the Fujian plan's folder whose indicators.csv has the optional metadata columns, filled for `code`."""
    folder = tmp_path / "plan"
    shutil.copytree(FIXTURES_DIR / "fujian-14th-education", folder)
    path = folder / "indicators.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    columns = [*rows[0].keys(), *metadata]
    for row in rows:
        row.update(metadata if row["code"] == code else dict.fromkeys(metadata, ""))
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(rows)
    return folder


def panel(response):
    page = response.content.decode()
    start = page.index('class="panel indicator-metadata"')
    html = page[start : page.index("</section>", start)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_panel_shows_what_the_plan_folder_set(client, leader, plan, tmp_path):
    load_plan(folder_with_metadata(tmp_path, "higher_ed_gross_enrolment", METADATA), force=True)
    client.force_login(leader)

    shown = panel(client.get(reverse("dashboards:indicator", args=["higher_ed_gross_enrolment"])))

    for value in METADATA.values():
        assert value in shown
    # The 属性 the source lost stays empty, flagged, never guessed.
    assert "属性 未填写 待核实" in shown


def test_a_column_the_folder_lacks_keeps_what_the_admin_entered(plan):
    indicator = Indicator.objects.get(plan=plan, code="higher_ed_gross_enrolment")
    indicator.data_source = "教育事业统计年报"
    indicator.save()

    load_plan(FIXTURES_DIR / "fujian-14th-education", force=True)

    indicator.refresh_from_db()
    assert indicator.data_source == "教育事业统计年报"
    assert indicator.history.first().data_source == "教育事业统计年报"


def test_an_empty_field_says_so(client, leader, plan):
    client.force_login(leader)

    shown = panel(client.get(reverse("dashboards:indicator", args=["higher_ed_gross_enrolment"])))

    assert "统计口径 未填写" in shown and "数据来源 未填写" in shown and "责任处室 未填写" in shown
    assert "备注" not in shown


def test_the_panel_says_how_a_paced_verdict_is_computed(client, leader, plan):
    client.force_login(leader)

    shown = panel(client.get(reverse("dashboards:indicator", args=["higher_ed_gross_enrolment"])))

    assert "越高越好" in shown
    assert "从2020年基期值57.88起，按直线依次连到2025年 65.00" in shown
    assert "差距阈值为0.50个百分点（默认：百分比指标为0.5个百分点）" in shown
    assert "不低于1.10为快于预期，不低于0.90为符合预期" in shown


def test_the_thresholds_are_the_plans_and_the_gap_the_indicators(client, leader, plan):
    plan.ahead_ratio, plan.on_track_ratio = "1.20", "0.80"
    plan.save()
    Indicator.objects.filter(plan=plan, code="higher_ed_gross_enrolment").update(level_gap="0.25")
    client.force_login(leader)

    shown = panel(client.get(reverse("dashboards:indicator", args=["higher_ed_gross_enrolment"])))

    assert "差距阈值为0.25个百分点（规划设定）" in shown
    assert "不低于1.20为快于预期，不低于0.80为符合预期" in shown


def test_a_target_within_the_level_gap_is_judged_by_holding_the_baseline(client, leader, plan):
    client.force_login(leader)

    shown = panel(client.get(reverse("dashboards:indicator", args=["preschool_gross_enrolment"])))

    assert "基期值98.81与目标99.00相差不超过差距阈值" in shown
    assert "实际值不低于98.31为符合预期，低于98.31为倒退" in shown
    assert "进度比" not in shown


def test_the_panel_reads_in_english(client, leader, plan):
    client.force_login(leader)
    client.cookies["django_language"] = "en"

    shown = panel(client.get(reverse("dashboards:indicator", args=["higher_ed_gross_enrolment"])))

    assert "Definition" in shown and "Higher is better" in shown


def edit_indicator_row(data, code, headers):
    """The plan workbook with the cells `headers` ({header: value}) of indicator `code` changed on the 指标 sheet."""
    book = load_workbook(io.BytesIO(data))
    sheet = book["指标"]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == code)
    for name, value in headers.items():
        row[header.index(name)].value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_panel_shows_what_the_workbook_set(client, leader, plan, admin_user):
    labels = {
        "指标解释": "definition",
        "统计口径": "scope",
        "数据来源": "data_source",
        "责任处室": "responsible_office",
    }
    edited = edit_indicator_row(
        workbook.write_workbook(dump_plan(plan)),
        "higher_ed_gross_enrolment",
        {header: METADATA[field] for header, field in labels.items()} | {"属性": "预期性", "备注": METADATA["notes"]},
    )
    report = load_plan(workbook_reading.read_workbook(edited), by=admin_user, force=True, remove=True)
    assert [c.key for c in report.changes] == ["higher_ed_gross_enrolment"]
    client.force_login(leader)

    shown = panel(client.get(reverse("dashboards:indicator", args=["higher_ed_gross_enrolment"])))

    assert "属性 预期性" in shown and "待核实" not in shown
    for value in METADATA.values():
        assert value in shown
    assert Indicator.objects.get(plan=plan, code="higher_ed_gross_enrolment").history.first().history_user == admin_user


def test_a_workbook_from_before_the_metadata_columns_keeps_them(plan, admin_user):
    Indicator.objects.filter(plan=plan, code="higher_ed_gross_enrolment").update(scope="含成人本专科")
    book = load_workbook(io.BytesIO(workbook.write_workbook(dump_plan(plan))))
    for title in ("指标", "重点项目"):
        header = [cell.value for cell in book[title][1]]
        for name in ("备注", "责任处室", "数据来源", "统计口径"):
            book[title].delete_cols(header.index(name) + 1)
    buffer = io.BytesIO()
    book.save(buffer)

    report = load_plan(workbook_reading.read_workbook(buffer.getvalue()), by=admin_user, force=True, remove=True)

    assert not report.changes
    assert Indicator.objects.get(plan=plan, code="higher_ed_gross_enrolment").scope == "含成人本专科"


def admin_form_data(client, url):
    """What the admin change page of an indicator would post back unchanged: its form and its targets inline."""
    response = client.get(url)
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
        forms += formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif value is not None and value is not False:  # a 0 (加总容差) is posted
                data[key] = value.pk if hasattr(value, "pk") else value
    return data


def test_an_administrator_edits_the_metadata_in_the_admin_with_its_history(client, leader, plan, make_user):
    admin = make_user("root", superuser=True)
    client.force_login(admin)
    indicator = Indicator.objects.get(plan=plan, code="putonghua_rate")
    url = reverse("admin:plans_indicator_change", args=[indicator.pk])
    data = admin_form_data(client, url)
    data.update(
        attribute="预期性", scope="全省常住人口", data_source="语言文字使用状况调查", responsible_office="语言文字处"
    )

    assert client.post(url, data).status_code == 302

    latest = Indicator.objects.get(pk=indicator.pk).history.first()
    assert (latest.scope, latest.history_user) == ("全省常住人口", admin)
    client.force_login(leader)
    shown = panel(client.get(reverse("dashboards:indicator", args=["putonghua_rate"])))
    assert "属性 预期性" in shown and "全省常住人口" in shown and "语言文字处" in shown
