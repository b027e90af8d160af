"""Issue #11: figures nobody can lose or corrupt. One batch write path (figures/pipeline.py) that every door
uses; each test here failed on the code before it."""

import io
import json
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from figures import pipeline, review
from figures.assessments import assess
from figures.models import Observation, Standing
from figures.plan_dumping import dump_plan
from figures.plan_loading import Refused, load_plan
from plans.models import District, Indicator
from tests.conftest import FJ
from tests.story import approve, official_for

pytestmark = pytest.mark.django_db

ENROLMENT = "general_high_school_enrolment"  # 福州: 11.09 (万人) in 2020, not a rate
CELL = {"indicator": ENROLMENT, "district": "350100", "year": 2021}


def api_post(client, body, url="/api/observations/"):
    return client.post(url, json.dumps(body), content_type="application/json")


def row(plan, district, year, value, code=ENROLMENT, **fields):
    return pipeline.Row(indicator=plan.indicators.get(code=code), district=district, year=year, value=value, **fields)


def test_the_value_that_broke_the_department_is_refused_and_pages_still_render(client, official_fuzhou, reviewer):
    client.force_login(official_fuzhou)
    body = {
        "indicator": "compulsory_quality_balanced_counties",
        "district": "350100",
        "year": 2025,
        "value": "100000000000000",
        "action": "submit",
    }
    response = api_post(client, body)
    assert response.status_code == 400 and "value" in response.json()["errors"]
    assert not Observation.objects.filter(year=2025).exists()
    assert client.get(f"{FJ}/report/350100/2025/").status_code == 200
    client.force_login(reviewer)
    for url in (f"{FJ}/review/", f"{FJ}/"):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": "١٥"}, "value"),
        ({"value": "१५"}, "value"),
        ({"value": "1,5.88"}, "value"),
        ({"value": "1_5.8"}, "value"),
        ({"value": "12%"}, "value"),  # not a percentage indicator
        ({"value": "1e3"}, "value"),
        ({"value": 10**14}, "value"),
        ({"value": ["12"]}, "value"),
        ({"note": 5}, "note"),
        ({"note": ["a"]}, "note"),
        ({"source": {"a": 1}}, "source"),
        ({"reason": True}, "reason"),
        ({"measures": "x" * 2001}, "measures"),
        ({"source": "x" * 201}, "source"),
        ({"note": "a\x00b"}, "note"),
        ({"note": "\x1b[31m红"}, "note"),
        ({"note": "abc\u202efdp.exe"}, "note"),
        ({"action": ["submit"]}, "action"),
        ({"action": "approve"}, "action"),  # approve-on-create is gone
        ({"version": 2.5}, "version"),
        ({"version": "x"}, "version"),
        ({"version": True}, "version"),
        ({"confirm": "yes"}, "confirm"),
    ],
)
def test_every_bad_input_is_a_400_naming_the_field_and_nothing_is_stored(client, official_fuzhou, change, field):
    client.force_login(official_fuzhou)
    response = api_post(client, {**CELL, "value": "12", **change})
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Observation.objects.filter(year=2021).exists()


def test_numbers_as_people_type_them_still_pass():
    assert pipeline.parse_number("１２．５") == Decimal("12.5")
    assert pipeline.parse_number("1,234.5") == Decimal("1234.5")
    assert pipeline.parse_number("98.5%") == Decimal("98.5")
    with pytest.raises(ValidationError):
        pipeline.parse_number("98.5%", percent=False)


def test_a_review_step_or_version_of_the_wrong_type_is_a_400(client, reviewer, official_fuzhou, plan, district):
    figure = pipeline.record_value(
        **vars(row(plan, district("fuzhou"), 2021, "12", action="submit")), by=official_fuzhou
    )
    client.force_login(reviewer)
    for change in ({"step": ["approve"]}, {"version": "2.5"}, {"version": True}, {"comment": 5, "step": "return"}):
        body = {**CELL, "step": "approve", "version": figure.version, **change}
        response = api_post(client, body, "/api/observations/review/")
        assert response.status_code == 400, (change, response.content)
    figure.refresh_from_db()
    assert figure.status == "submitted"


def test_a_district_reports_only_indicators_it_has_targets_for(client, official_fuzhou):
    client.force_login(official_fuzhou)
    response = api_post(client, {**CELL, "indicator": "putonghua_rate", "value": "90"})
    assert response.status_code == 400 and "indicator" in response.json()["errors"]


# 2. Approved figures change only after a reopen; four eyes.


def test_nobody_approves_what_he_entered_or_submitted(client, plan, district, make_user):
    from planboard import roles

    first = make_user("first", roles.REVIEWER)
    second = make_user("second", roles.REVIEWER)
    figure = pipeline.record_value(
        **vars(row(plan, district("fuzhou"), 2021, "12", action="submit")), by=first, require_version=True
    )
    assert not review.awaiting(first).filter(pk=figure.pk).exists()
    assert review.awaiting(second).filter(pk=figure.pk).exists()
    with pytest.raises(PermissionDenied):
        review.approve(observation=figure, by=first, version=figure.version)
    client.force_login(first)
    body = {**CELL, "step": "approve", "version": figure.version}
    response = api_post(client, body, "/api/observations/review/")
    assert response.status_code == 403, response.content.decode()
    page = client.get(f"{FJ}/review/")  # listed, saying why, but without a box to tick
    assert figure.pk in [o.pk for o in page.context["pending"]]
    assert f'name="selected" value="{figure.pk}"' not in page.content.decode()
    figure = review.approve(observation=figure, by=second, version=figure.version)
    assert (figure.status, figure.approved_by) == ("approved", second)


def test_an_approved_base_year_figure_changes_only_after_a_reopen_at_every_door(client, reviewer, plan, district):
    baseline = Observation.objects.get(indicator__code=ENROLMENT, district__code="350100", year=2020)
    client.force_login(reviewer)
    body = {**CELL, "year": 2020, "value": "11.2", "version": baseline.version}
    assert api_post(client, body).status_code == 409
    with pytest.raises(pipeline.ImportRejected):
        pipeline.import_rows(
            plan=plan,
            rows=[(2, {"indicator": ENROLMENT, "district": "350100", "year": 2020, "value": "11.2"})],
            by=reviewer,
            action="save",
        )
    baseline.refresh_from_db()
    assert (baseline.value, baseline.version) == (Decimal("11.09"), 1)


# 3. Year-on-year checks against the latest earlier approved figure.


def test_a_gap_year_scales_the_allowance_and_still_catches_a_jump(plan, reviewer, district, official_fuzhou):
    fuzhou = district("fuzhou")
    approve(plan, reviewer, fuzhou, ENROLMENT, 2021, "11.5")
    with pytest.raises(ValidationError) as error:
        pipeline.check_value(row(plan, fuzhou, 2023, "35"), by=official_fuzhou)
    assert "confirm" in error.value.message_dict
    # 11.5 -> 16 over two years is 39%, within (1.2)^2 - 1 = 44%.
    assert pipeline.check_value(row(plan, fuzhou, 2023, "16"), by=official_fuzhou).value == 16


def test_a_rate_over_two_years_from_the_baseline(plan, reviewer, district):
    province = district("province")
    with pytest.raises(ValidationError) as error:
        pipeline.check_value(row(plan, province, 2022, "99", code="higher_ed_gross_enrolment"), by=reviewer)
    assert "confirm" in error.value.message_dict
    assert pipeline.check_value(row(plan, province, 2022, "64", code="higher_ed_gross_enrolment"), by=reviewer)


def test_a_draft_does_not_force_a_confirmation_on_a_correct_figure(plan, official_fuzhou, district):
    fuzhou = district("fuzhou")
    pipeline.record_value(**vars(row(plan, fuzhou, 2022, "115", confirm=True, note="草稿")), by=official_fuzhou)
    assert pipeline.check_value(row(plan, fuzhou, 2023, "12"), by=official_fuzhou).value == 12


def test_one_file_with_a_jump_between_its_own_rows_needs_confirmation(plan, official_fuzhou):
    rows = [
        (2, {"indicator": ENROLMENT, "district": "350100", "year": 2021, "value": "11.5"}),
        (3, {"indicator": ENROLMENT, "district": "350100", "year": 2022, "value": "115"}),
    ]
    with pytest.raises(pipeline.ImportRejected) as rejected:
        pipeline.check_rows(plan=plan, rows=rows, by=official_fuzhou, action="save")
    assert [(number, name) for number, name, _m in rejected.value.errors] == [(3, "confirm")]


def test_correcting_a_year_rechecks_the_following_one(plan, reviewer, official_fuzhou, district):
    fuzhou = district("fuzhou")
    approve(plan, reviewer, fuzhou, ENROLMENT, 2022, "12")
    approve(plan, reviewer, fuzhou, ENROLMENT, 2023, "12.5")
    figure = Observation.objects.get(indicator__code=ENROLMENT, district=fuzhou, year=2022)
    figure = review.reopen(observation=figure, by=reviewer, comment="核对")
    with pytest.raises(ValidationError) as error:
        pipeline.check_value(row(plan, fuzhou, 2022, "8", version=figure.version), by=official_fuzhou)
    assert "2023" in error.value.message_dict["confirm"][0]
    assert Observation.objects.get(pk=figure.pk).value == 12  # nothing changed, 2023 neither


def test_a_falling_running_total_over_a_gap_needs_confirmation(plan, reviewer, official_fuzhou, district):
    counties = Indicator.objects.get(plan=plan, code="compulsory_quality_balanced_counties")
    fuzhou = district("fuzhou")
    approve(plan, reviewer, fuzhou, counties.code, 2021, "3")
    with pytest.raises(ValidationError, match="累计"):
        pipeline.check_value(row(plan, fuzhou, 2023, "1", code=counties.code), by=official_fuzhou)


# 5. Query counts that do not grow with the rows.


def _grid_post(grid, values, action="save"):
    count = len(grid.formset.forms)
    data = {"action": action, "form-TOTAL_FORMS": count, "form-INITIAL_FORMS": count}
    for n, grid_row in enumerate(r for r in grid.rows if r.form is not None):
        data[f"form-{n}-indicator"] = grid_row.indicator.code
        data[f"form-{n}-value"] = values.get(grid_row.indicator.code, "")
        data[f"form-{n}-version"] = ""
    return data


def _calm_value(indicator, grid_row):
    """A value that needs neither a confirmation nor an explanation: last year's, or the bottom of the range."""
    earlier = [f for f in grid_row.past if f is not None]
    if earlier:
        return format(earlier[-1].value.normalize(), "f")
    return "1" if indicator.max_value is None or indicator.max_value >= 1 else "0"


def test_a_grid_save_needs_the_same_queries_for_few_and_many_cells(
    client, official_province, django_assert_max_num_queries
):
    client.force_login(official_province)
    url = f"{FJ}/report/350000/2021/"
    grid = client.get(url).context["grid"]
    editable = [r for r in grid.rows if r.form is not None]
    assert len(editable) >= 40
    values = {r.indicator.code: _calm_value(r.indicator, r) for r in editable}
    few = dict(list(values.items())[:3])
    with django_assert_max_num_queries(60) as small:
        assert client.post(url, _grid_post(grid, few)).status_code == 302
    Observation.objects.filter(year=2021).delete()
    with django_assert_max_num_queries(len(small) + 4):
        response = client.post(url, _grid_post(grid, values))
    assert response.status_code == 302, response.context["grid"].formset.errors
    assert Observation.objects.filter(year=2021).count() == len(values)


def test_a_review_needs_the_same_queries_for_ten_and_a_hundred_figures(
    plan, official_province, reviewer, district, django_assert_max_num_queries
):
    province = district("province")
    indicators = list(plan.indicators.all())
    rows = [
        pipeline.Row(
            indicator=i, district=province, year=year, value="1", confirm=True, note="n", reason="r", measures="m"
        )
        for year in (2021, 2022, 2023, 2024, 2025)
        for i in indicators
    ][:110]
    for r in rows:
        r.action = "submit"
    outcome = pipeline.write(pipeline.Batch(rows), by=official_province)
    assert not outcome.problems, outcome.problems[:3]
    figures = list(Observation.objects.filter(status="submitted").order_by("pk"))
    assert len(figures) >= 100
    reviewer.get_all_permissions()  # read once per request, as a page does before it reviews
    with django_assert_max_num_queries(40) as small:
        review.review_many(observations=figures[:10], step="approve", by=reviewer, versions={o.pk: 1 for o in figures})
    # Constant but for the database's batching of bulk writes (SQLite caps the parameters of one query): 90 figures
    # take two more batches each of updates and history rows, one more of statuses and of notices.
    with django_assert_max_num_queries(len(small) + 6):
        review.review_many(observations=figures[10:], step="approve", by=reviewer, versions={o.pk: 1 for o in figures})
    assert_standings_match(plan)


# 7. The entry grid says what is wrong, where, and what happened.


def test_the_grid_summarises_errors_focuses_the_first_and_says_what_was_saved(client, official_fuzhou):
    client.force_login(official_fuzhou)
    url = f"{FJ}/report/350100/2021/"
    page = client.get(url)
    assert 'inputmode="decimal"' in page.content.decode()
    grid = page.context["grid"]
    codes = [r.indicator.code for r in grid.rows if r.form is not None]
    bad = client.post(url, _grid_post(grid, {codes[0]: "abc", codes[1]: "-1", codes[2]: "١٥"}))
    text = bad.content.decode()
    assert bad.status_code == 200 and "3 项有误，未保存" in text and text.count("autofocus") == 1
    assert not Observation.objects.filter(year=2021).exists()
    rows = {r.indicator.code: r for r in grid.rows}
    values = {code: _calm_value(rows[code].indicator, rows[code]) for code in codes[:2]}
    done = client.post(url, _grid_post(grid, values, action="save"), follow=True)
    assert "已保存草稿 2 项" in done.content.decode()


def test_a_tampered_form_count_or_a_duplicated_form_is_a_form_error(client, official_fuzhou):
    client.force_login(official_fuzhou)
    url = f"{FJ}/report/350100/2021/"
    grid = client.get(url).context["grid"]
    data = _grid_post(grid, {ENROLMENT: "12"})
    response = client.post(url, {**data, "form-TOTAL_FORMS": data["form-TOTAL_FORMS"] + 1})
    assert response.status_code == 200 and "页面已过期" in response.content.decode()
    duplicated = {**data, "form-1-indicator": data["form-0-indicator"]}
    response = client.post(url, duplicated)
    assert response.status_code == 200 and "页面已过期" in response.content.decode()
    assert not Observation.objects.filter(year=2021).exists()
    assert not Observation.history.filter(year=2021).exists()


# 8. Every door: validated, history with a user, versions, standings equal to live verdicts.


def assert_standings_match(plan):
    for as_of in range(plan.base_year + 1, plan.target_year + 1):
        live = {key: a.status for key, a in assess(plan, as_of=as_of).items()}
        kept = {
            (i, d): status
            for i, d, status in Standing.objects.filter(plan=plan, as_of=as_of).values_list(
                "indicator_id", "district_id", "status"
            )
        }
        assert kept == live, as_of


def test_every_write_path_validates_records_history_versions_and_standings(
    client, plan, district, official_fuzhou, reviewer, tmp_path
):
    fuzhou = district("fuzhou")
    cell = {"indicator": plan.indicators.get(code=ENROLMENT), "district": fuzhou, "year": 2021}

    def latest():
        o = Observation.objects.get(**cell)
        return o, o.history.latest("history_date", "history_id")

    # API POST
    client.force_login(official_fuzhou)
    assert api_post(client, {**CELL, "value": "1,2.5"}).status_code == 400
    assert api_post(client, {**CELL, "value": "12", "action": "submit"}).status_code == 201
    figure, record = latest()
    assert (figure.version, record.history_user) == (1, official_fuzhou)
    # Review steps: approve, reopen, return
    figure = review.approve(observation=figure, by=reviewer, version=1)
    figure, record = latest()
    assert (figure.version, record.history_user, record.history_change_reason) == (2, reviewer, "审核通过")
    assert_standings_match(plan)
    figure = review.reopen(observation=figure, by=reviewer, comment="再核", version=2)
    assert latest()[0].version == 3
    assert_standings_match(plan)
    # Entry grid (a bad value refused, then a correction)
    grid = client.get(f"{FJ}/report/350100/2021/").context["grid"]
    data = _grid_post(grid, {ENROLMENT: "-3"}, action="submit")
    data[f"form-{[r.indicator.code for r in grid.rows if r.form][0:].index(ENROLMENT)}-version"] = 3
    assert client.post(f"{FJ}/report/350100/2021/", data).status_code == 200
    data = {k: ("12.2" if v == "-3" else v) for k, v in data.items()}
    assert client.post(f"{FJ}/report/350100/2021/", data).status_code == 302
    figure, record = latest()
    assert (figure.version, figure.status, record.history_user) == (4, "submitted", official_fuzhou)
    review.return_for_revision(observation=figure, by=reviewer, comment="退回", version=4)
    # Restore (a reviewer brings back version 1: submitted in his name)
    first = figure.history.get(version=1)
    with pytest.raises(ValidationError):
        review.restore(observation=figure, record=first, by=reviewer, version="x")
    review.restore(observation=figure, record=first, by=reviewer, version=5)
    figure, record = latest()
    assert (figure.version, figure.status, record.history_user) == (6, "submitted", reviewer)
    # Excel upload: preview, then confirm (a bad value is shown in the preview and refused at confirm)
    assert _upload(client, "abc").counts["error"] == 1
    response = client.post(reverse("figures:import-confirm"), follow=True)
    assert "未导入任何数据" in " ".join(str(m) for m in response.context["messages"])
    assert latest()[0].version == 6
    preview = _upload(client, "12.1")
    assert preview.counts == {"new": 0, "changed": 1, "unchanged": 0, "error": 0} and preview.withdrawn == 1
    assert client.post(reverse("figures:import-confirm"), {"withdraw": "1"}).status_code == 302
    figure, record = latest()
    assert (figure.version, figure.value, figure.status) == (7, Decimal("12.1"), "draft")
    assert (record.history_user, record.value) == (official_fuzhou, Decimal("12.1"))
    assert_standings_match(plan)
    # import_values (published figures, approved in the system user's name)
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,district,year,value\ngeneral_high_school_enrolment,350100,2022,abc\n", encoding="utf-8")
    with pytest.raises(Exception, match="abc"):
        call_command("import_values", str(bad))
    good = tmp_path / "good.csv"
    good.write_text("indicator,district,year,value\ngeneral_high_school_enrolment,350100,2022,12.3\n", encoding="utf-8")
    call_command("import_values", str(good))
    imported = Observation.objects.get(indicator=cell["indicator"], district=fuzhou, year=2022)
    record = imported.history.get()
    assert (imported.status, imported.version, record.history_user.username) == ("approved", 1, "system")
    assert_standings_match(plan)
    # load_demo and load_plan's baselines, also through the pipeline as the system user
    call_command("load_demo")
    demo = Observation.objects.filter(is_demo=True).first()
    assert demo.history.get().history_user.username == "system"
    assert_standings_match(plan)
    call_command("load_plan", verbosity=0)
    assert_standings_match(plan)
    # load_plan --force: a reviewed baseline goes back to the plan's as a new approved version of the command's
    base = {"indicator": cell["indicator"], "district": fuzhou, "year": plan.base_year}
    published = Observation.objects.get(**base)
    corrected = approve(plan, reviewer, fuzhou, ENROLMENT, plan.base_year, "11.2")
    assert_standings_match(plan)
    data = dump_plan(plan)
    next(r for r in data["baselines"] if r["indicator"] == ENROLMENT and r["district"] == "350100")["fields"][
        "value"
    ] = Decimal(10) ** 20
    with pytest.raises(Refused, match="基期值 general_high_school_enrolment 350100 2020"):
        load_plan(data, force=True)
    assert Observation.objects.get(**base).version == corrected.version
    call_command("load_plan", "--force", verbosity=0)
    figure = Observation.objects.get(**base)
    assert (figure.value, figure.status, figure.version) == (published.value, "approved", corrected.version + 1)
    new, old = figure.history.order_by("-version")[:2]
    assert (new.history_user.username, new.value, old.history_user, old.value) == (
        "system",
        published.value,
        reviewer,
        Decimal("11.2"),
    )
    assert_standings_match(plan)


def _upload(client, value):
    """Upload a one-row file for 福州's 2021 enrolment and open its preview."""
    file = io.BytesIO(f"indicator,district,year,value\n{ENROLMENT},350100,2021,{value}\n".encode())
    file.name = "年报.csv"
    response = client.post(reverse("figures:import"), {"file": file, "action": "save"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(reverse("figures:import-preview")).context["preview"]


# 6. Concurrent writes: one wins, the others get a clean conflict.


def _race(n, attempt):
    barrier, results = threading.Barrier(n), []

    def run(i):
        try:
            barrier.wait()
            attempt(i)
            results.append("ok")
        except pipeline.Conflict:
            results.append("conflict")
        except Exception as error:  # noqa: BLE001 - the test reports any other outcome
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


@pytest.mark.django_db(transaction=True)
def test_parallel_writes_on_one_cell_one_wins_the_others_conflict(browser_plan):
    plan = browser_plan
    fuzhou = District.objects.get(code="350100")
    official = official_for(fuzhou)
    indicator = plan.indicators.get(code=ENROLMENT)

    def update(i):
        pipeline.record_value(
            by=official,
            indicator=indicator,
            district=fuzhou,
            year=2021,
            value=f"12.{i + 1:02d}",
            version=1,
            require_version=True,
        )

    pipeline.record_value(by=official, indicator=indicator, district=fuzhou, year=2021, value="12")
    results = _race(20, update)
    assert results == ["conflict"] * 19 + ["ok"], results
    figure = Observation.objects.get(indicator=indicator, district=fuzhou, year=2021)
    assert figure.version == 2 and figure.history.count() == 2

    def create(i):
        # Version 0: the writer saw no figure there, as an upload's preview of a new row did.
        # Values that differ as numbers ("12.1" and "12.10" do not): one that equals the stored figure is no change.
        pipeline.record_value(
            by=official, indicator=indicator, district=fuzhou, year=2022, value=f"12.{i + 1:02d}", version=0
        )

    results = _race(20, create)
    assert results == ["conflict"] * 19 + ["ok"], results
    figure = Observation.objects.get(indicator=indicator, district=fuzhou, year=2022)
    assert figure.version == 1 and figure.history.count() == 1
