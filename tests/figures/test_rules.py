"""Rules between indicators (校验规则): a figure that breaks one of the plan's shipped rules is caught at every door
(the grid, the upload, the API, `import_values`), naming the rule and the figures of both sides; a 需确认 rule's
figure goes in once confirmed with a note, a 仅提示 rule's goes in with a warning; the query count stays flat."""

import io
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from figures import pipeline, review, validation
from figures.models import Observation
from plans.models import District, Indicator, Rule, RuleWeight
from tests import story
from tests.figures.test_entry import grid_url, post_grid
from tests.figures.test_quality import section

pytestmark = pytest.mark.django_db

PROVINCE, YEAR = "350000", 2021
# Each shipped rule (fixtures/…/rules.csv): the other side's stored figures, the figure entered, a value of it that
# breaks the rule, the sums the message must show, and a value that keeps it.
SHIPPED = [
    pytest.param(
        "higher_ed_total_contains_parts",
        {"undergraduate_enrolment": "55", "higher_vocational_enrolment": "45", "postgraduate_enrolment": "7"},
        "higher_ed_total_enrolment",
        "106",
        ("高等教育在学总规模 106", "= 107"),
        "107.5",
        id="higher-education-total",
    ),
    pytest.param(
        "inclusive_kindergartens_contain_public",
        {"public_kindergarten_rate_province": "60"},
        "inclusive_kindergarten_enrolment_share_province",
        "55",
        (" 55，应 ≥ ", " 60"),
        "91",
        id="inclusive-kindergartens",
    ),
    pytest.param(
        "doctoral_programmes_contain_marxism",
        {"marxism_doctoral_programmes": "3"},
        "doctoral_degree_programmes_new",
        "2",
        ("新增50个博士学位授权点 2，应 ≥ ", " 3"),
        "12",
        id="doctoral-programmes",
    ),
]
NOTE = "口径调整，已核实"


@pytest.fixture
def stored(plan, district, official_province):
    """The other side of a rule, entered as drafts (a draft counts: the rule is judged before any review)."""

    def store(figures):
        for code, value in figures.items():
            story.enter(plan, official_province, district("province"), code, YEAR, value)

    return store


def figure(code):
    return Observation.objects.filter(indicator__code=code, district__code=PROVINCE, year=YEAR).first()


def says_rule(text, code, parts):
    rule = Rule.objects.get(code=code)
    return f"不符合校验规则“{rule.name}”" in text and all(part in text for part in parts) and rule.reason in text


def test_the_shipped_rules_are_loaded_with_their_reasons(plan):
    rules = {r.code: r for r in validation.rules_of(plan)}
    assert set(rules) == {
        "higher_ed_total_contains_parts",
        "inclusive_kindergartens_contain_public",
        "doctoral_programmes_contain_marxism",
    }
    total = rules["higher_ed_total_contains_parts"]
    assert total.sides() == (
        "higher_ed_total_enrolment",
        "undergraduate_enrolment + higher_vocational_enrolment + postgraduate_enrolment",
    )
    assert all(r.reason and r.weight == RuleWeight.CONFIRM for r in rules.values())
    # Each side in one unit: the rules need no conversion.
    for rule in rules.values():
        assert len({t.indicator.unit for t in (*rule.left_terms, *rule.right_terms)}) == 1


@pytest.mark.parametrize(("code", "others", "entered", "bad", "parts", "good"), SHIPPED)
def test_the_grid_names_the_rule_and_takes_the_figure_once_confirmed_with_a_note(
    client, official_province, stored, code, others, entered, bad, parts, good
):
    stored(others)
    client.force_login(official_province)
    url = grid_url(PROVINCE, YEAR)
    text = post_grid(client, url, {entered: {"value": bad}}, action="save").content.decode()
    assert says_rule(text, code, parts)
    assert figure(entered) is None
    text = post_grid(client, url, {entered: {"value": bad, "confirm": "on"}}, action="save").content.decode()
    assert "不符合校验规则的数据需要在说明中写明原因" in text
    post_grid(client, url, {entered: {"value": bad, "confirm": "on", "note": NOTE}}, action="save")
    kept = figure(entered)
    assert (str(kept.value.normalize()), kept.confirmed_large_move, kept.note) == (bad, True, NOTE)


@pytest.mark.parametrize(("code", "others", "entered", "bad", "parts", "good"), SHIPPED)
def test_a_figure_that_keeps_the_rule_needs_nothing(
    client, official_province, stored, code, others, entered, bad, parts, good
):
    stored(others)
    client.force_login(official_province)
    post_grid(client, grid_url(PROVINCE, YEAR), {entered: {"value": good}}, action="save")
    assert str(figure(entered).value.normalize()) == good


def long_csv(*lines, header="indicator,district,year,value,note,source,confirm"):
    file = io.BytesIO((header + "\n" + "".join(line + "\n" for line in lines)).encode())
    file.name = "年报.csv"
    return file


@pytest.mark.parametrize(("code", "others", "entered", "bad", "parts", "good"), SHIPPED)
def test_an_upload_preview_names_the_rule_and_a_confirmed_row_goes_in(
    client, analyst, stored, code, others, entered, bad, parts, good
):
    stored(others)
    client.force_login(analyst)
    client.post(
        reverse("figures:import"), {"file": long_csv(f"{entered},{PROVINCE},{YEAR},{bad},,,"), "action": "save"}
    )
    preview = client.get(reverse("figures:import-preview"))
    assert not preview.context["preview"].ok
    assert says_rule(preview.content.decode(), code, parts)
    line = f"{entered},{PROVINCE},{YEAR},{bad},{NOTE},,是"
    client.post(reverse("figures:import"), {"file": long_csv(line), "action": "save"})
    assert client.get(reverse("figures:import-preview")).context["preview"].ok
    client.post(reverse("figures:import-confirm"))
    assert figure(entered).note == NOTE


def post(client, body):
    return client.post("/api/observations/", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("code", "others", "entered", "bad", "parts", "good"), SHIPPED)
def test_the_api_names_the_rule_in_a_400_and_takes_a_confirmed_figure(
    client, official_province, stored, code, others, entered, bad, parts, good
):
    stored(others)
    client.force_login(official_province)
    cell = {"indicator": entered, "district": PROVINCE, "year": YEAR, "value": bad}
    refused = post(client, cell)
    assert refused.status_code == 400
    assert says_rule(refused.json()["errors"]["confirm"][0], code, parts)
    assert post(client, {**cell, "confirm": True}).json()["errors"]["note"]
    created = post(client, {**cell, "confirm": True, "note": NOTE})
    assert created.status_code == 201
    assert (created.json()["confirmed_large_move"], created.json()["warnings"]) == (True, [])


@pytest.mark.parametrize(("code", "others", "entered", "bad", "parts", "good"), SHIPPED)
def test_import_values_refuses_the_file_naming_the_rule_until_the_row_is_confirmed(
    tmp_path, stored, code, others, entered, bad, parts, good
):
    stored(others)
    path = tmp_path / "values.csv"
    path.write_text(f"indicator,district,year,value,note,confirm\n{entered},{PROVINCE},{YEAR},{bad},,\n", "utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_values", str(path))
    assert says_rule(str(refused.value), code, parts)
    assert figure(entered) is None
    path.write_text(
        f"indicator,district,year,value,note,confirm\n{entered},{PROVINCE},{YEAR},{bad},{NOTE},是\n", "utf-8"
    )
    call_command("import_values", str(path))
    assert figure(entered).status == "approved"


@pytest.fixture
def only_a_warning():
    """The higher-education rule made 仅提示 (shown, not blocking), with its parts entered."""

    def make(stored):
        Rule.objects.filter(code="higher_ed_total_contains_parts").update(weight=RuleWeight.WARN)
        stored({"undergraduate_enrolment": "55", "higher_vocational_enrolment": "45", "postgraduate_enrolment": "7"})

    return make


def test_a_warning_rule_lets_the_figure_in_at_every_door_and_says_why(
    client, official_province, analyst, stored, only_a_warning, tmp_path, capsys
):
    only_a_warning(stored)
    parts = ("高等教育在学总规模 106", "= 107")
    client.force_login(official_province)
    response = post_grid(client, grid_url(PROVINCE, YEAR), {"higher_ed_total_enrolment": {"value": "106"}}, "save")
    assert response.status_code == 302
    assert says_rule(client.get(response.url).content.decode(), "higher_ed_total_contains_parts", parts)
    assert figure("higher_ed_total_enrolment").value == 106

    body = {"indicator": "higher_ed_total_enrolment", "district": PROVINCE, "year": YEAR, "value": 105.5}
    body["version"] = figure("higher_ed_total_enrolment").version
    answer = post(client, body).json()
    assert [w["rule"] for w in answer["warnings"]] == ["higher_ed_total_contains_parts"]
    assert (answer["warnings"][0]["left"], answer["warnings"][0]["right"]) == (105.5, 107)

    client.force_login(analyst)
    file = long_csv(f"postgraduate_enrolment,{PROVINCE},{YEAR},8,,,")
    client.post(reverse("figures:import"), {"file": file, "action": "save"})
    preview = client.get(reverse("figures:import-preview"))
    assert preview.context["preview"].ok
    assert "提示：不符合校验规则" in preview.content.decode()

    path = tmp_path / "values.csv"
    path.write_text(f"indicator,district,year,value\npostgraduate_enrolment,{PROVINCE},{YEAR},7.9\n", "utf-8")
    call_command("import_values", str(path))
    assert "提示：第2行 不符合校验规则" in capsys.readouterr().out


@pytest.mark.parametrize(("value", "breaks"), [("106.97", True), ("106.98", False), ("106.99", False)])
def test_the_tolerance_is_the_line(plan, district, official_province, stored, value, breaks):
    """Parts 55 + 45 + 7 = 107, tolerance 0.02: 106.98 holds, 106.97 does not."""
    stored({"undergraduate_enrolment": "55", "higher_vocational_enrolment": "45", "postgraduate_enrolment": "7"})
    row = pipeline.Row(
        indicator=plan.indicators.get(code="higher_ed_total_enrolment"),
        district=district("province"),
        year=YEAR,
        value=value,
    )
    if breaks:
        with pytest.raises(ValidationError) as refused:
            pipeline.check_value(row, by=official_province)
        assert list(refused.value.message_dict) == ["confirm"]
    else:
        assert pipeline.check_value(row, by=official_province).value == Decimal(value)


def test_a_rule_whose_other_figures_are_missing_is_not_judged(client, official_province, stored):
    stored({"undergraduate_enrolment": "55", "higher_vocational_enrolment": "45"})  # no postgraduates yet
    client.force_login(official_province)
    post_grid(client, grid_url(PROVINCE, YEAR), {"higher_ed_total_enrolment": {"value": "90"}}, action="save")
    assert figure("higher_ed_total_enrolment").value == 90


def test_a_returned_figure_does_not_count(plan, district, official_province, reviewer, stored):
    stored({"undergraduate_enrolment": "55", "higher_vocational_enrolment": "45"})
    submitted = pipeline.record_value(
        indicator=plan.indicators.get(code="postgraduate_enrolment"),
        district=district("province"),
        year=YEAR,
        value="7",
        action="submit",
        reason="招生计划调整",
        measures="扩大招生",
        by=official_province,
    )
    review.return_for_revision(observation=submitted, by=reviewer, comment="请核对", version=submitted.version)
    pipeline.record_value(
        indicator=plan.indicators.get(code="higher_ed_total_enrolment"),
        district=district("province"),
        year=YEAR,
        value="100",
        by=official_province,
    )
    assert figure("higher_ed_total_enrolment").value == 100


def totals(years, value="106"):
    """The province's higher-education total in these years, below its parts (55 + 45 + 7 = 107)."""
    return [
        (n, {"indicator": "higher_ed_total_enrolment", "district": PROVINCE, "year": year, "value": value})
        for n, year in enumerate(years, start=2)
    ]


def test_the_rules_cost_the_same_queries_whatever_the_batch(
    plan, district, official_province, analyst, django_assert_max_num_queries
):
    """One query for the rule set and one for the other side's figures, however many rows the batch has."""
    for year in range(2021, 2025):
        for code, value in (
            ("undergraduate_enrolment", 55),
            ("higher_vocational_enrolment", 45),
            ("postgraduate_enrolment", 7),
        ):
            story.enter(plan, official_province, district("province"), code, year, value)
    with CaptureQueriesContext(connection) as one_year:
        with pytest.raises(pipeline.ImportRejected) as refused:
            pipeline.check_rows(plan=plan, rows=totals([2021]), by=analyst, action="save")
    assert [field for _row, field, _message in refused.value.errors] == ["confirm"]
    with django_assert_max_num_queries(len(one_year)):
        with pytest.raises(pipeline.ImportRejected) as refused:
            pipeline.check_rows(plan=plan, rows=totals(range(2021, 2025)), by=analyst, action="save")
    assert len(refused.value.errors) == 4
    with django_assert_max_num_queries(len(one_year)):
        assert (
            len(pipeline.check_rows(plan=plan, rows=totals(range(2021, 2025), "108"), by=analyst, action="save")) == 4
        )


def test_the_quality_page_lists_broken_rules_in_bounded_queries(plan, stored, django_assert_max_num_queries):
    stored({"undergraduate_enrolment": "55", "higher_vocational_enrolment": "45", "postgraduate_enrolment": "7"})
    stored({"higher_ed_total_enrolment": "107.5"})  # keeps the rule when entered; then a part moves
    Observation.objects.filter(indicator__code="undergraduate_enrolment", year=YEAR).update(value=60)
    districts = list(District.objects.all())
    with django_assert_max_num_queries(2):
        breaches = validation.broken_rules(plan, YEAR, districts)
    assert [(b.rule.code, b.district.code, b.left, b.right) for b in breaches] == [
        ("higher_ed_total_contains_parts", PROVINCE, 107.5, 112)
    ]
    assert breaches[0].as_json()["figures"][0] == {
        "side": "left",
        "indicator": "higher_ed_total_enrolment",
        "coefficient": 1.0,
        "value": 107.5,
    }
    assert validation.broken_rules(plan, YEAR, districts, approved_only=True) == []


def test_the_quality_page_lists_the_broken_rule_with_both_sides(client, reviewer, plan, stored):
    stored({"undergraduate_enrolment": "55", "higher_vocational_enrolment": "45", "postgraduate_enrolment": "7"})
    stored({"higher_ed_total_enrolment": "107.5"})
    Observation.objects.filter(indicator__code="undergraduate_enrolment", year=YEAR).update(value=60)

    client.force_login(reviewer)
    html = client.get(reverse("figures:quality"), {"year": YEAR}).content.decode()

    rules = section(html, "broken_rules")
    rule = Rule.objects.get(code="higher_ed_total_contains_parts")
    assert rule.name in rules and "全省 107.5 ≥ 112" in rules and rule.reason in rules
    assert re.search(r"全省 1 0 0", section(html, "districts"))


def test_an_indicator_a_rule_names_cannot_be_deleted(plan):
    from django.db.models import RestrictedError

    with pytest.raises(RestrictedError):
        Indicator.objects.get(plan=plan, code="postgraduate_enrolment").delete()
