"""An official opens the entry grid of their district and year, fills it in, saves a draft and submits."""

from decimal import Decimal

import pytest
from django.urls import reverse

from figures import review
from figures.models import Observation, ReportingYear
from tests.conftest import HEADER_COUNT_QUERIES

pytestmark = pytest.mark.django_db

FUZHOU = "350100"
ENROLMENT = "general_high_school_enrolment"  # 福州 2020 baseline 11.09, 2023 target 13.83, 2025 target 14.38
COUNTIES = "preschool_inclusive_inspection_counties"  # a cumulative count of counties


def grid_url(code=FUZHOU, year=2021):
    return reverse("figures:entry", args=[code, year])


def post_grid(client, url, cells, action="submit"):
    """Post the grid as the page would, changing only the given cells ({indicator code: {field: value}})."""
    page = client.get(url)
    formset = page.context["grid"].formset
    data = {"action": action}
    for name, field in formset.management_form.fields.items():
        data[f"{formset.prefix}-{name}"] = formset.management_form.initial.get(name, field.initial)
    for form in formset.forms:
        code = form.initial["indicator"]
        for name in form.fields:
            value = form.initial.get(name, "")
            data[form.add_prefix(name)] = "" if value is None else value
        for name, value in cells.get(code, {}).items():
            data[form.add_prefix(name)] = value
        if not data.get(form.add_prefix("confirm")):
            data.pop(form.add_prefix("confirm"), None)
    return client.post(url, data)


def test_the_grid_lists_every_indicator_the_district_reports_with_past_values_and_targets(client, official_fuzhou):
    client.force_login(official_fuzhou)
    page = client.get(grid_url(year=2022))
    assert page.status_code == 200
    rows = page.context["grid"].rows
    assert [r.indicator.code for r in rows] == [ENROLMENT, COUNTIES, "compulsory_quality_balanced_counties"]
    enrolment = rows[0]
    assert [f.value if f else None for f in enrolment.past] == [Decimal("11.09"), None]  # 2020 and 2021
    assert (enrolment.target.year, enrolment.target.display) == (2023, "13.83")
    text = page.content.decode()
    assert "福州 2022年数据填报" in text and "未填报" in text and "保存草稿" in text and "提交审核" in text


def test_saving_a_draft_then_submitting_keeps_the_value_and_moves_the_status(client, official_fuzhou):
    client.force_login(official_fuzhou)
    response = post_grid(client, grid_url(), {ENROLMENT: {"value": " 12.0 ", "source": "教育统计年鉴"}}, "save")
    assert response.status_code == 302
    figure = Observation.objects.get(indicator__code=ENROLMENT, district__code=FUZHOU, year=2021)
    assert (figure.value, figure.status, figure.source, figure.version) == (Decimal("12"), "draft", "教育统计年鉴", 1)

    post_grid(client, grid_url(), {}, "submit")
    figure.refresh_from_db()
    assert (figure.status, figure.version) == ("submitted", 2)
    assert "已提交" in client.get(grid_url()).content.decode()


def test_saving_a_draft_does_not_pull_back_a_figure_already_submitted(client, official_fuzhou):
    client.force_login(official_fuzhou)
    post_grid(client, grid_url(), {ENROLMENT: {"value": "12"}}, "submit")
    post_grid(client, grid_url(), {COUNTIES: {"value": "1"}}, "save")
    statuses = dict(Observation.objects.filter(year=2021).values_list("indicator__code", "status"))
    assert statuses == {ENROLMENT: "submitted", COUNTIES: "draft"}


def test_bad_cells_are_refused_with_chinese_messages_and_nothing_is_stored(client, official_fuzhou):
    client.force_login(official_fuzhou)
    response = post_grid(client, grid_url(), {ENROLMENT: {"value": "十二"}, COUNTIES: {"value": "2.5"}})
    assert response.status_code == 200
    text = response.content.decode()
    assert "“十二”不是数字" in text
    assert "必须是整数" in text
    assert not Observation.objects.filter(year=2021).exists()


def test_a_draft_with_bad_cells_saves_the_good_ones_and_lists_the_bad_ones(client, official_fuzhou):
    client.force_login(official_fuzhou)
    cells = {
        ENROLMENT: {"value": "12"},
        COUNTIES: {"value": "2.5"},  # refused by the write pipeline (a count of counties)
        "compulsory_quality_balanced_counties": {"value": "1", "source": "年" * 201},  # refused by the form
    }
    response = post_grid(client, grid_url(), cells, "save")
    assert response.status_code == 200
    grid = response.context["grid"]
    assert [indicator.code for indicator, _id, _errors in grid.bad_cells] == [
        COUNTIES,
        "compulsory_quality_balanced_counties",
    ]
    text = response.content.decode()
    assert "2 项有误，未保存" in text and "（其余已保存）" in text and "已保存草稿 1 项" in text
    assert 'href="#id_form-1-value"' in text and 'href="#id_form-2-source"' in text
    assert 'value="2.5"' in text  # kept as typed
    saved = Observation.objects.get(year=2021)
    assert (saved.indicator.code, saved.status, saved.value) == (ENROLMENT, "draft", Decimal(12))


def test_submitting_with_a_bad_cell_saves_nothing(client, official_fuzhou):
    client.force_login(official_fuzhou)
    response = post_grid(client, grid_url(), {ENROLMENT: {"value": "12"}, COUNTIES: {"value": "2.5"}})
    assert "1 项有误，未保存" in response.content.decode() and "其余已保存" not in response.content.decode()
    assert not Observation.objects.filter(year=2021).exists()


def test_a_lagging_figure_needs_a_reason_and_measures_before_it_is_submitted(client, official_fuzhou):
    client.force_login(official_fuzhou)
    response = post_grid(client, grid_url(), {ENROLMENT: {"value": "11.2"}})
    text = response.content.decode()
    assert "进度为“滞后”" in text and "原因分析" in text and "整改措施" in text
    assert not Observation.objects.filter(year=2021).exists()

    # As a draft it may wait for the explanation.
    post_grid(client, grid_url(), {ENROLMENT: {"value": "11.2"}}, "save")
    assert Observation.objects.get(year=2021).status == "draft"

    post_grid(client, grid_url(), {ENROLMENT: {"reason": "生源减少", "measures": "扩建校舍"}})
    figure = Observation.objects.get(year=2021)
    assert (figure.status, figure.reason, figure.measures) == ("submitted", "生源减少", "扩建校舍")


def test_a_large_move_needs_the_confirmation_and_a_note_and_both_are_kept(client, official_fuzhou):
    client.force_login(official_fuzhou)
    text = post_grid(client, grid_url(), {ENROLMENT: {"value": "14"}}).content.decode()
    assert "变动超过20%" in text
    text = post_grid(client, grid_url(), {ENROLMENT: {"value": "14", "confirm": "on"}}).content.decode()
    assert "大幅变动需要在说明中写明原因" in text
    post_grid(client, grid_url(), {ENROLMENT: {"value": "14", "confirm": "on", "note": "新建三所高中"}})
    figure = Observation.objects.get(year=2021)
    assert (figure.confirmed_large_move, figure.note) == (True, "新建三所高中")


def test_a_returned_figure_shows_the_reviewers_comment_beside_the_cell(client, official_fuzhou, reviewer):
    client.force_login(official_fuzhou)
    post_grid(client, grid_url(), {ENROLMENT: {"value": "12"}})
    figure = Observation.objects.get(year=2021)
    review.return_for_revision(observation=figure, by=reviewer, comment="请核对统计口径")
    text = client.get(grid_url()).content.decode()
    assert "已退回" in text and "请核对统计口径" in text


def test_approved_cells_and_locked_years_are_read_only(client, official_fuzhou, reviewer, plan):
    client.force_login(official_fuzhou)
    post_grid(client, grid_url(), {ENROLMENT: {"value": "12"}})
    review.approve(observation=Observation.objects.get(year=2021), by=reviewer)
    grid = client.get(grid_url()).context["grid"]
    assert [r.form is None for r in grid.rows] == [True, False, False]

    ReportingYear.objects.create(plan=plan, year=2021, locked=True)
    page = client.get(grid_url())
    assert all(r.form is None and r.status == "locked" for r in page.context["grid"].rows)
    assert "2021年度已锁定" in page.content.decode()


def test_two_officials_on_the_same_grid_the_second_save_is_refused_showing_the_first(client, make_user):
    first = make_user("first", "填报员", districts=["fuzhou"])
    second = make_user("second", "填报员", districts=["fuzhou"])
    client.force_login(second)
    stale = client.get(grid_url())  # the second official opens the page before the first one saves
    client.force_login(first)
    post_grid(client, grid_url(), {ENROLMENT: {"value": "12"}}, "save")

    client.force_login(second)
    formset = stale.context["grid"].formset
    data = {"action": "save", f"{formset.prefix}-TOTAL_FORMS": 3, f"{formset.prefix}-INITIAL_FORMS": 3}
    for form in formset.forms:
        data[form.add_prefix("indicator")] = form.initial["indicator"]
    data[formset.forms[0].add_prefix("value")] = "12.5"
    text = client.post(grid_url(), data).content.decode()
    assert "该数据已被first于" in text and "修改为 12" in text
    assert Observation.objects.get(year=2021).value == Decimal("12")


def test_my_reporting_page_counts_each_years_figures_by_status(client, official_fuzhou):
    client.force_login(official_fuzhou)
    post_grid(client, grid_url(), {ENROLMENT: {"value": "12"}, COUNTIES: {"value": "1"}}, "save")
    page = client.get(reverse("figures:entry-index"))
    [(district, cells)] = page.context["rows"]
    cell = cells[0]
    assert (district.code, cell.year, cell.counts["draft"], cell.missing) == (FUZHOU, 2021, 2, 1)
    assert grid_url() in page.content.decode()


@pytest.mark.parametrize("extra_figures", [0, 1])
def test_the_grid_needs_the_same_number_of_queries_whatever_the_data(
    client, reviewer, extra_figures, django_assert_max_num_queries
):
    """The province grid has 40 indicators; with figures in all five years the query count stays put."""
    if extra_figures:
        from django.core.management import call_command

        call_command("load_demo", verbosity=0)
    client.force_login(reviewer)
    # session, user, 2 permissions, plan, district, lock, indicators, targets, figures, the header's plan
    # and demo check, and the session's save (3): none of them grows with indicators or figures.
    # and 待办's count in the header, and the round's deadline, and the outliers' three (indicators, province,
    # every district's figures)
    with django_assert_max_num_queries(15 + HEADER_COUNT_QUERIES + 1 + 3):
        assert client.get(grid_url("350000", 2024)).status_code == 200
