"""The write pipeline's rules at their lines: each test puts a figure either side of the line a rule draws (a
rate's five points, the compound allowance over a gap, the largest number and the decimals a figure holds, a
command's permission to write a locked year or over an approved figure), so that moving the line fails a test."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from figures import pipeline, review
from figures.models import Observation, ReportingYear
from plans.models import Indicator
from tests.story import approve

pytestmark = pytest.mark.django_db

ENROLMENT = "general_high_school_enrolment"  # 福州: 11.09 (万人) in 2020, not a rate
PUTONGHUA = "putonghua_rate"  # 全省: 89.32 (%) in 2020


def row(plan, district, year, value, code=ENROLMENT, **fields):
    return pipeline.Row(indicator=plan.indicators.get(code=code), district=district, year=year, value=value, **fields)


def confirm_message(plan, by, district, year, value, code=ENROLMENT):
    """What the official is asked to confirm about this figure, or None when it passes."""
    try:
        pipeline.check_value(row(plan, district, year, value, code=code), by=by)
    except ValidationError as error:
        return " ".join(error.message_dict.get("confirm", [])) or None
    return None


# Large moves


def test_a_rate_may_move_by_exactly_five_points_without_confirming(plan, official_province, district):
    province = district("province")
    assert confirm_message(plan, official_province, province, 2021, "94.32", PUTONGHUA) is None
    assert confirm_message(plan, official_province, province, 2021, "84.32", PUTONGHUA) is None
    # A hundredth more is a move of more than five points, either way.
    assert "5个百分点" in confirm_message(plan, official_province, province, 2021, "94.33", PUTONGHUA)
    assert "5个百分点" in confirm_message(plan, official_province, province, 2021, "84.31", PUTONGHUA)


def test_over_two_years_the_allowance_compounds_rather_than_adds(plan, reviewer, official_fuzhou, district):
    fuzhou = district("fuzhou")
    approve(plan, reviewer, fuzhou, ENROLMENT, 2021, "11.5")
    # 11.5 -> 16.3 is 41.7% over two years: more than 2 x 20% = 40%, less than 1.2^2 - 1 = 44%.
    assert confirm_message(plan, official_fuzhou, fuzhou, 2023, "16.3") is None
    # 16.6 is 44.3%: beyond the compound allowance, which the message states.
    message = confirm_message(plan, official_fuzhou, fuzhou, 2023, "16.6")
    assert "与上年（2021年：11.5）相比变动超过44%" in message
    # One year on, the allowance is the plain 20%: 11.5 -> 13.8 passes, 13.9 does not.
    assert confirm_message(plan, official_fuzhou, fuzhou, 2022, "13.8") is None
    assert "超过20%" in confirm_message(plan, official_fuzhou, fuzhou, 2022, "13.9")
    # And downwards by the same share: 11.5 -> 9.2 is -20%.
    assert confirm_message(plan, official_fuzhou, fuzhou, 2022, "9.2") is None
    assert "超过20%" in confirm_message(plan, official_fuzhou, fuzhou, 2022, "9.1")


def test_a_confirmed_large_move_still_needs_a_note_and_is_stored_as_confirmed(plan, official_fuzhou, district):
    fuzhou = district("fuzhou")
    with pytest.raises(ValidationError) as error:
        pipeline.check_value(row(plan, fuzhou, 2021, "20", confirm="on"), by=official_fuzhou)
    assert list(error.value.message_dict) == ["note"]
    figure = pipeline.record_value(
        **vars(row(plan, fuzhou, 2021, "20", confirm="yes", note="新校区")), by=official_fuzhou
    )
    assert (figure.value, figure.confirmed_large_move, figure.note) == (Decimal(20), True, "新校区")


# What a figure holds


@pytest.mark.parametrize("typed", ["100000000000", "-100000000000", "100000000000.0001", 10**11, 1e12])
def test_a_figure_of_ten_to_the_eleventh_or_more_is_too_large_for_the_column(typed):
    with pytest.raises(ValidationError) as error:
        pipeline.parse_number(typed)
    assert "10 的 11 次方" in error.value.message_dict["value"][0]


def test_the_largest_figure_the_column_holds_is_accepted():
    assert pipeline.parse_number("99999999999.9999") == Decimal("99999999999.9999")
    assert pipeline.parse_number("-99,999,999,999") == Decimal("-99999999999")


def test_a_figure_too_large_for_the_column_is_refused_as_such_not_as_out_of_range(plan, official_fuzhou, district):
    # The indicator's plausible range (0..150 万人) would refuse it too; the official is told the real reason.
    with pytest.raises(ValidationError) as error:
        pipeline.check_value(row(plan, district("fuzhou"), 2021, "100000000000"), by=official_fuzhou)
    (message,) = error.value.message_dict["value"]
    assert "数值过大" in message


@pytest.mark.parametrize(
    ("typed", "stored"), [("12.1234", "12.1234"), ("0.0001", "0.0001"), ("12.12340", "12.1234"), ("12.10000", "12.1")]
)
def test_four_decimals_are_kept_and_trailing_zeros_do_not_count(typed, stored):
    assert pipeline.parse_number(typed) == Decimal(stored)


@pytest.mark.parametrize("typed", ["12.12345", "0.00001", 12.12345])
def test_a_fifth_decimal_is_refused(typed):
    with pytest.raises(ValidationError) as error:
        pipeline.parse_number(typed)
    assert "最多保留4位小数" in error.value.message_dict["value"][0]


@pytest.mark.parametrize(("typed", "read"), [(3, 3), ("3", 3), (" 12 ", 12), (None, None), ("", None)])
def test_a_version_is_read_from_its_ascii_digits(typed, read):
    assert pipeline.clean_version(typed) == read


@pytest.mark.parametrize("typed", ["３", "1２", "1.0", "-1", True, 1.0, "一"])
def test_a_version_in_full_width_digits_or_anything_but_an_integer_is_refused(typed):
    with pytest.raises(ValidationError) as error:
        pipeline.clean_version(typed)
    assert error.value.message_dict["version"] == ["版本号必须是整数。"]


def test_a_version_is_required_where_the_door_asks_for_one():
    with pytest.raises(ValidationError) as error:
        pipeline.clean_version("", required=True)
    assert error.value.message_dict["version"] == ["请提供读取数据时的版本号。"]
    assert pipeline.clean_version(0, required=True) == 0


# Edits


@pytest.mark.parametrize("field", ["note", "source", "reason", "measures"])
def test_changing_only_a_note_or_the_source_is_a_new_version(plan, official_fuzhou, district, field):
    fuzhou = district("fuzhou")
    figure = pipeline.record_value(**vars(row(plan, fuzhou, 2021, "11.5", note="初报")), by=official_fuzhou)
    assert figure.version == 1
    fields = {"note": "初报", field: "统计年鉴2021"}
    again = pipeline.record_value(
        **vars(row(plan, fuzhou, 2021, "11.5", version=figure.version, **fields)), by=official_fuzhou
    )
    assert (again.pk, again.version, getattr(again, field)) == (figure.pk, 2, "统计年鉴2021")
    assert Observation.objects.get(pk=figure.pk).history.count() == 2
    # Saving it once more as it stands writes nothing.
    same = pipeline.record_value(**vars(row(plan, fuzhou, 2021, "11.5", version=2, **fields)), by=official_fuzhou)
    assert same.version == 2 and Observation.objects.get(pk=figure.pk).history.count() == 2


def test_an_edit_needs_the_version_its_author_read(plan, official_fuzhou, district):
    fuzhou = district("fuzhou")
    figure = pipeline.record_value(**vars(row(plan, fuzhou, 2021, "11.5")), by=official_fuzhou)
    figure = pipeline.record_value(**vars(row(plan, fuzhou, 2021, "11.6", version=1)), by=official_fuzhou)
    with pytest.raises(pipeline.Conflict, match="版本 2"):
        pipeline.record_value(**vars(row(plan, fuzhou, 2021, "11.7", version=1)), by=official_fuzhou)
    with pytest.raises(pipeline.Conflict, match="版本 2"):
        pipeline.record_value(**vars(row(plan, fuzhou, 2021, "11.7")), by=official_fuzhou, require_version=True)
    assert Observation.objects.get(pk=figure.pk).value == Decimal("11.6")


def test_a_returned_figure_keeps_the_reviewers_comment_while_its_official_corrects_it(
    plan, official_fuzhou, reviewer, district
):
    fuzhou = district("fuzhou")
    figure = pipeline.record_value(
        **vars(row(plan, fuzhou, 2021, "11.5", action="submit", reason="招生扩大", measures="继续")), by=official_fuzhou
    )
    figure = review.return_for_revision(observation=figure, by=reviewer, comment="请核对来源", version=figure.version)
    corrected = pipeline.record_value(
        **vars(row(plan, fuzhou, 2021, "11.6", source="教育统计年鉴", version=figure.version)), by=official_fuzhou
    )
    assert (corrected.status, corrected.review_comment) == ("draft", "请核对来源")
    assert corrected.approved_by is None and corrected.city_approved_by is None


# Commands (load_plan --force, --change-locked-year): the only writers of locked years and approved figures


def command_batch(plan, district, year, value, **options):
    rows = [row(plan, district, year, value, action="approve", confirm=True, note="命令")]
    return pipeline.Batch(rows, **options)


def test_a_command_writes_a_locked_year_only_when_it_names_it(plan, admin_user, district):
    ReportingYear.objects.create(plan=plan, year=2021, locked=True)
    fuzhou = district("fuzhou")
    for options in ({"command": True}, {"command": True, "locked_years_ok": frozenset({2022})}):
        outcome = pipeline.write(command_batch(plan, fuzhou, 2021, "11.5", **options), by=admin_user)
        assert [(p.field, p.kind) for p in outcome.problems] == [("year", "conflict")], options
        assert "2021年度已锁定" in outcome.problems[0].message
    # A door that is no command cannot name a locked year.
    entered = row(plan, fuzhou, 2021, "11.5")
    outcome = pipeline.write(pipeline.Batch([entered], locked_years_ok=frozenset({2021})), by=admin_user)
    assert [(p.field, p.kind) for p in outcome.problems] == [("year", "conflict")]
    assert not Observation.objects.filter(district=fuzhou, year=2021).exists()
    outcome = pipeline.write(
        command_batch(plan, fuzhou, 2021, "11.5", command=True, locked_years_ok=frozenset({2021})), by=admin_user
    )
    assert not outcome.problems
    assert Observation.objects.get(district=fuzhou, year=2021, indicator__code=ENROLMENT).status == "approved"


def test_a_command_replaces_an_approved_figure_only_with_reopen_approved(plan, admin_user, reviewer, district):
    fuzhou = district("fuzhou")
    figure = approve(plan, reviewer, fuzhou, ENROLMENT, 2021, "11.5")
    for options in ({"command": True}, {"reopen_approved": True}):
        batch = command_batch(plan, fuzhou, 2021, "11.7", **options)
        batch.rows[0].action = "approve" if options.get("command") else "save"
        outcome = pipeline.write(batch, by=admin_user)
        assert [(p.field, p.kind) for p in outcome.problems] == [("value", "conflict")], options
        assert "审核通过" in outcome.problems[0].message
    assert Observation.objects.get(pk=figure.pk).value == Decimal("11.5")
    outcome = pipeline.write(
        command_batch(plan, fuzhou, 2021, "11.7", command=True, reopen_approved=True), by=admin_user
    )
    assert not outcome.problems
    figure.refresh_from_db()
    assert (figure.value, figure.status, figure.approved_by) == (Decimal("11.7"), "approved", admin_user)


def test_only_a_command_approves_while_writing(plan, admin_user, district):
    fuzhou = district("fuzhou")
    outcome = pipeline.write(command_batch(plan, fuzhou, 2021, "11.5"), by=admin_user)
    assert [p.field for p in outcome.problems] == ["action"]
    outcome = pipeline.write(command_batch(plan, fuzhou, 2021, "11.5", command=True), by=admin_user)
    assert not outcome.problems and outcome.changed[0].status == "approved"


def test_a_row_refused_in_a_batch_stores_none_of_its_rows(plan, official_fuzhou, district):
    fuzhou, xiamen = district("fuzhou"), district("xiamen")
    good = row(plan, fuzhou, 2021, "11.5", key=2)
    bad = row(plan, xiamen, 2021, "11.5", key=3)  # not the official's district
    outcome = pipeline.write(pipeline.Batch([good, bad]), by=official_fuzhou)
    assert [(p.key, p.kind) for p in outcome.problems] == [(3, "denied")]
    assert not outcome.changed
    assert not Observation.objects.filter(year=2021, indicator__code=ENROLMENT).exists()


def test_the_same_figure_twice_in_one_batch_names_the_first_row(plan, official_fuzhou, district):
    fuzhou = district("fuzhou")
    rows = [row(plan, fuzhou, 2021, "11.5", key=2), row(plan, fuzhou, "2021", "11.6", key=5)]
    outcome = pipeline.write(pipeline.Batch(rows), by=official_fuzhou)
    assert [(p.key, p.field, p.message) for p in outcome.problems] == [(5, "year", "与第2行是同一项数据。")]


def test_an_indicator_from_another_plan_in_the_batch_is_a_programming_error(plan, official_fuzhou, district):
    other = Indicator(pk=None, plan_id=plan.pk + 1000, code="x")
    with pytest.raises(ValueError, match="one plan per batch"):
        pipeline.Context.load(
            pipeline.Batch(
                [row(plan, district("fuzhou"), 2021, "1"), pipeline.Row(other, district("fuzhou"), 2021, "1")]
            ),
            official_fuzhou,
        )


@pytest.mark.parametrize(
    ("indicator", "district", "named"),
    [("no_such_indicator", "350100", "没有指标“no_such_indicator”。"), (ENROLMENT, "359999", "没有地区“359999”。")],
)
def test_a_table_row_naming_an_unknown_indicator_or_district_is_refused_by_its_row(
    plan, official_fuzhou, indicator, district, named
):
    rows = [
        (2, {"indicator": indicator, "district": district, "year": 2021, "value": "11.5"}),
        (3, {"indicator": ENROLMENT, "district": "350100", "year": 2022, "value": "11.6"}),
    ]
    for door in (pipeline.check_rows, pipeline.import_rows):
        with pytest.raises(pipeline.ImportRejected) as rejected:
            door(plan=plan, rows=rows, by=official_fuzhou, action="save")
        assert [(key, message) for key, _field, message in rejected.value.errors] == [(2, named)]
    assert not Observation.objects.filter(year__in=(2021, 2022), indicator__code=ENROLMENT).exists()
