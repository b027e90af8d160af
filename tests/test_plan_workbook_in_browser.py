"""An administrator uploads a corrected plan workbook in chromium: the preview shows the change by name first, and
the rows that stay as they are only as counts, which open on a click."""

from decimal import Decimal

import pytest

from figures.plan_dumping import dump_plan
from plans import workbook

pytestmark = pytest.mark.browser


def test_the_preview_folds_unchanged_rows_into_counts_that_open_on_a_click(browser_plan, make_user, login, tmp_path):
    data = dump_plan(browser_plan)
    next(r for r in data["targets"] if r["indicator"] == "putonghua_rate")["fields"]["value"] = Decimal(93)
    corrected = tmp_path / "plan.xlsx"
    corrected.write_bytes(workbook.write_workbook(data))

    page = login(make_user("root", superuser=True))
    page.goto(page.url.split("/plans/")[0] + "/plans/workbook/")
    page.set_input_files("input[name=file]", str(corrected))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url("**/plans/workbook/preview/")
    change = page.locator("table.import-preview tbody tr").first
    assert "普通话普及率 全省 2025" in change.inner_text() and "92.00 → 93.00" in change.inner_text()

    targets = page.locator("details[data-change=unchanged]").filter(has_text="无变化")
    folded = targets.nth(0)
    assert folded.locator("li").first.is_hidden()
    folded.locator("summary").click()
    assert folded.locator("li").first.is_visible()
