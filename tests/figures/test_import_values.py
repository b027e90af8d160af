"""An analyst loads a year of figures from a file: all rows or none, with the row that failed named."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from figures.models import Observation

pytestmark = pytest.mark.django_db

HEADER = "indicator,district,year,value,note,source\n"


def write(tmp_path, text, name="values.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_csv_stores_approved_figures_as_made_by_the_named_user(tmp_path, reviewer):
    path = write(
        tmp_path,
        HEADER + "putonghua_rate,350000,2021,90.1,,统计公报\n"
        "general_high_school_enrolment,福州,2021, 11.50 ,,\n"
        "general_high_school_enrolment,350200,2021,６．１,,\n",
    )
    call_command("import_values", str(path), "--user", "reviewer")
    rate = Observation.objects.get(indicator__code="putonghua_rate", district__code="350000", year=2021)
    assert (rate.value, rate.status, rate.source, rate.entered_by) == (
        Decimal("90.1"),
        "approved",
        "统计公报",
        reviewer,
    )
    assert Observation.objects.get(district__code="350100", year=2021).value == Decimal("11.5")
    assert Observation.objects.get(district__code="350200", year=2021).value == Decimal("6.1")
    assert rate.history.get().history_user == reviewer


def test_without_a_user_the_figures_are_recorded_under_the_system_account(tmp_path):
    call_command("import_values", str(write(tmp_path, HEADER + "putonghua_rate,全省,2021,90.1,,\n")))
    assert Observation.objects.get(year=2021).entered_by.username == "system"


def test_one_bad_row_rejects_the_whole_file_and_names_the_row(tmp_path):
    path = write(
        tmp_path,
        HEADER + "putonghua_rate,350000,2021,90.1,,\n"
        "putonghua_rate,350000,2022,abc,,\n"
        "compulsory_retention,350000,2021,101,,\n",
    )
    with pytest.raises(CommandError) as error:
        call_command("import_values", str(path))
    assert "第3行 value" in str(error.value) and "“abc”不是数字" in str(error.value)
    assert "第4行 value" in str(error.value) and "超出合理范围" in str(error.value)
    assert not Observation.objects.filter(year__gt=2020).exists()


def test_unknown_codes_and_duplicate_cells_are_named(tmp_path):
    path = write(
        tmp_path,
        HEADER + "no_such_indicator,350000,2021,1,,\nputonghua_rate,999999,2021,1,,\n"
        "putonghua_rate,350000,2021,90,,\nputonghua_rate,全省,2021,91,,\n",
    )
    with pytest.raises(CommandError) as error:
        call_command("import_values", str(path))
    message = str(error.value)
    assert "第2行 indicator：没有指标“no_such_indicator”" in message
    assert "第3行 district：没有地区“999999”" in message
    assert "第5行 year：与第4行是同一项数据" in message
    assert not Observation.objects.filter(year=2021).exists()


def test_an_xlsx_file_loads_the_same_way(tmp_path):
    workbook = Workbook()
    workbook.active.append(["indicator", "district", "year", "value"])
    workbook.active.append(["preschool_inclusive_inspection_counties", "350100", 2022, 3])
    path = tmp_path / "values.xlsx"
    workbook.save(path)
    call_command("import_values", str(path))
    assert Observation.objects.get(indicator__code="preschool_inclusive_inspection_counties").value == 3


def test_a_file_with_a_missing_column_is_refused(tmp_path):
    with pytest.raises(CommandError, match="缺少列：数值（value）"):
        call_command("import_values", str(write(tmp_path, "indicator,district,year\nx,y,2021\n")))


def test_an_unknown_user_is_refused(tmp_path):
    with pytest.raises(CommandError, match="没有用户 nobody"):
        call_command("import_values", str(write(tmp_path, HEADER)), "--user", "nobody")
