"""A member of the public opens a published plan's open data: every indicator with its metadata and approved figures,
each as CSV, the whole plan as a Frictionless Data Package. Nothing unapproved, no person's name, no note."""

import csv
import io
import json
import socket

import frictionless
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from figures import pipeline, review
from figures.models import Observation
from plans.models import Indicator, Plan
from tests.figures.test_shared_figures import load_through_the_workbook, next_plan_rows
from tests.story import approve, official_for

pytestmark = pytest.mark.django_db

CODE = "fujian-14th-education"
OPEN = f"/open/{CODE}/"


@pytest.fixture
def published(plan):
    plan.published = True
    plan.save()
    return plan


@pytest.fixture
def reviewer_named(reviewer):
    reviewer.first_name, reviewer.last_name = "审核", "甄某某"
    reviewer.save()
    return reviewer


def csv_rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def work_in_progress(plan, reviewer, district):
    """A draft, a submitted and a returned figure, each with a note, in Fuzhou's 2022 row of the district table."""
    fuzhou = district("fuzhou")
    official = official_for(fuzhou)
    official.first_name, official.last_name = "填报", "贾某某"
    official.save()

    def record(code, value, action):
        cell = {"indicator": plan.indicators.get(code=code), "district": fuzhou, "year": 2022}
        return pipeline.record_value(**cell, value=value, by=official, action=action, note="内部说明：勿外传")

    record("preschool_inclusive_inspection_counties", "7", "save")
    record("compulsory_quality_balanced_counties", "6", "submit")
    returned = record("general_high_school_enrolment", "17.7777", "submit")
    review.return_for_revision(observation=returned, by=reviewer, comment="退回意见：请核对")


def test_an_unpublished_plan_has_no_open_pages(client, plan):
    assert not plan.published  # off unless an administrator turns it on
    for path in ("", "datapackage.json", "data/figures.csv", "data/indicators.csv", "putonghua_rate.csv"):
        assert client.get(OPEN + path).status_code == 404, path


def test_an_unknown_plan_indicator_or_table_is_404(client, published):
    assert client.get("/open/no-such-plan/").status_code == 404
    assert client.get(OPEN + "no_such_indicator.csv").status_code == 404
    assert client.get(OPEN + "data/people.csv").status_code == 404


def test_the_open_page_needs_no_login_and_lists_every_indicator_with_its_metadata(client, published):
    Indicator.objects.filter(plan=published, code="putonghua_rate").update(
        definition="能用普通话进行交流的人口比例。", data_source="语言文字使用状况调查", notes="内部备注：勿外传"
    )

    response = client.get(OPEN)

    assert response.status_code == 200
    page = response.content.decode()
    for indicator in Indicator.objects.filter(plan=published):
        assert f'id="{indicator.code}"' in page
        assert reverse("dashboards:open-indicator-csv", args=[CODE, indicator.code]) in page
    assert "能用普通话进行交流的人口比例。" in page and "语言文字使用状况调查" in page
    assert "内部备注" not in page
    assert "datapackage.json" in page


def test_only_approved_figures_are_published_and_never_a_name_or_a_note(client, published, reviewer_named, district):
    approve(published, reviewer_named, district("fuzhou"), "general_high_school_enrolment", 2021, "16.25")
    work_in_progress(published, reviewer_named, district)
    people = get_user_model().objects.exclude(username="system")
    names = {word for user in people for word in (user.username, user.last_name) if word}

    responses = [client.get(OPEN + path) for path in ("", "datapackage.json", "data/figures.csv")]
    responses.append(client.get(OPEN + "data/indicators.csv"))
    for code in ("preschool_inclusive_inspection_counties", "compulsory_quality_balanced_counties"):
        responses.append(client.get(f"{OPEN}{code}.csv"))
    responses.append(client.get(OPEN + "general_high_school_enrolment.csv"))

    everything = "".join(r.content.decode() for r in responses)
    assert "16.25" in everything
    assert "17.7777" not in everything and "17.78" not in everything
    fuzhou_2022 = [row for row in csv_rows(responses[2]) if row["district"] == "350100" and row["year"] == "2022"]
    assert fuzhou_2022 == []
    for word in [*names, "内部说明", "退回意见", "测试"]:
        assert word not in everything, word


def test_a_figures_exact_value_round_trips_into_the_csv(client, published, reviewer, district):
    approve(published, reviewer, district("fuzhou"), "general_high_school_enrolment", 2021, "16.1234")
    approve(published, reviewer, district("province"), "general_high_school_enrolment", 2021, "126")

    rows = csv_rows(client.get(OPEN + "general_high_school_enrolment.csv"))

    by_cell = {(row["district"], row["year"]): row for row in rows}
    assert by_cell[("350100", "2021")]["value"] == "16.1234"
    assert by_cell[("350000", "2021")]["value"] == "126"  # a whole number as an integer, as the API writes it
    assert by_cell[("350100", "2021")]["district_name"] == "福州市"
    assert {row["indicator"] for row in rows} == {"general_high_school_enrolment"}
    # The base year's figures, loaded with the plan, are approved figures too.
    assert ("350000", "2020") in by_cell


def test_the_data_package_validates_offline(client, published, reviewer, district, tmp_path, monkeypatch):
    approve(published, reviewer, district("fuzhou"), "general_high_school_enrolment", 2021, "16.1234")
    descriptor = client.get(OPEN + "datapackage.json").json()
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    for resource in descriptor["resources"]:
        target = tmp_path / resource["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(client.get(OPEN + resource["path"]).content)

    def no_network(*args, **kwargs):
        raise AssertionError("the validation went to the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    report = frictionless.Package(str(tmp_path / "datapackage.json")).validate()

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert [r["name"] for r in descriptor["resources"]] == ["indicators", "figures", "targets"]
    figures = next(r for r in descriptor["resources"] if r["name"] == "figures")
    types = {field["name"]: field["type"] for field in figures["schema"]["fields"]}
    assert types == {
        "indicator": "string",
        "district": "string",
        "district_name": "string",
        "year": "integer",
        "value": "number",
    }
    package = frictionless.Package(str(tmp_path / "datapackage.json"))
    rows = package.get_resource("figures").read_rows()
    assert any(row["district"] == "350100" and row["year"] == 2021 and str(row["value"]) == "16.1234" for row in rows)


def test_an_administrator_publishes_a_plan_in_the_admin(client, plan, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:plans_plan_change", args=[plan.pk])).content.decode()
    assert 'name="published"' in page


def test_the_open_page_reads_in_english(client, published):
    client.cookies["django_language"] = "en"

    page = client.get(OPEN).content.decode()

    assert "Open data" in page and "Gross enrolment rate in higher education" in page


def test_the_open_page_runs_a_fixed_number_of_queries(
    client, published, reviewer, district, django_assert_max_num_queries
):
    for slug in ("fuzhou", "xiamen", "province"):
        approve(published, reviewer, district(slug), "general_high_school_enrolment", 2021, "16")
    with django_assert_max_num_queries(5):  # plan, indicators, districts, figures, targets
        assert client.get(OPEN).status_code == 200


def test_demo_figures_are_never_published(client, published):
    call_command("load_demo", verbosity=0)
    assert Observation.objects.filter(is_demo=True, status="approved").exists()

    rows = csv_rows(client.get(OPEN + "data/figures.csv"))

    assert rows and {row["year"] for row in rows} == {str(published.base_year)}


def test_a_shared_figure_is_published_under_the_later_plans_own_indicator(client, plan, reviewer, admin_user, district):
    load_through_the_workbook(next_plan_rows(), admin_user)
    later = Plan.objects.get(code="next-plan")
    later.published = True
    later.save()
    # Entered once, through the 十四五 (its final year): the 十五五's baseline.
    for year, value in [(2024, "64"), (2025, "66.2")]:
        approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", year, value)

    rows = csv_rows(client.get("/open/next-plan/higher_ed_gross_enrolment.csv"))

    assert [(row["indicator"], row["year"], row["value"]) for row in rows] == [
        ("higher_ed_gross_enrolment", "2025", "66.2")
    ]
    assert client.get(OPEN + "higher_ed_gross_enrolment.csv").status_code == 404  # the 十四五 is not published
