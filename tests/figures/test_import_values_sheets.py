"""`import_values` reads one table: a workbook with figures on several sheets is refused, not half read."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from figures.models import Observation

pytestmark = pytest.mark.django_db


def test_a_workbook_with_several_filled_sheets_is_refused(tmp_path):
    workbook = Workbook()
    workbook.active.title = "福州"
    workbook.active.append(["指标", "地区", "年份", "数值"])
    workbook.active.append(["putonghua_rate", "350100", 2024, 90])
    other = workbook.create_sheet("厦门")
    other.append(["indicator", "district", "year", "value"])
    other.append(["putonghua_rate", "350200", 2024, 91])
    workbook.create_sheet("空白")
    path = tmp_path / "values.xlsx"
    workbook.save(path)
    with pytest.raises(CommandError, match="多个工作表（福州、厦门）"):
        call_command("import_values", str(path))
    assert not Observation.objects.filter(year=2024).exists()
