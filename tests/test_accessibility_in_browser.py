"""Every page, for every role, in both languages, passes axe-core's WCAG 2 A and AA rules in chromium: no serious or
critical violation (contrast of the status colours with their text, nested controls, scrollable regions and charts
a keyboard reaches).

axe-core is vendored from the npm registry (`npm install axe-core`, tests/vendor/axe.min.js, MPL-2.0), so the test
needs no network. `PLANBOARD_SCREENSHOT=/some/folder` also saves each page at 1440×900 and 390×844.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from figures import pipeline
from planboard import roles
from plans.models import District, Indicator
from tests.conftest import FJ, PASSWORD

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa"]
YEAR = 2024

PAGES = {
    "dashboard": f"{FJ}/",
    "dashboard for a city": f"{FJ}/?district=350100",
    "indicator": f"{FJ}/indicators/general_high_school_enrolment/?district=350100",
    "district": f"{FJ}/districts/350100/",
    "overview": f"{FJ}/overview/?district=350000",
    "entry index": f"{FJ}/report/",
    "entry grid": f"{FJ}/report/350100/{YEAR + 1}/",
    "review": f"{FJ}/review/",
    "completeness": f"{FJ}/review/completeness/",
    "history": "history",  # the waiting figure's history page
    "year locks": f"{FJ}/years/",
    "export": f"{FJ}/export/",
    "import": f"{FJ}/import/",
    "tasks": f"{FJ}/tasks/",
    "task": f"{FJ}/tasks/1/",
    "district targets": f"{FJ}/district-targets/",
    "key projects": f"{FJ}/key-projects/",
    "review flags": f"{FJ}/review-flags/",
    "quality": f"{FJ}/quality/?year={YEAR}",
    "plan workbook": "/plans/workbook/",
    "password": "/accounts/password/",
}
ROLES = {
    "leader": ["dashboard", "dashboard for a city", "indicator", "district", "overview", "export", "tasks", "task",
               "district targets", "key projects", "history", "quality"],
    "reviewer": ["dashboard", "review", "completeness", "history", "year locks", "entry index", "entry grid",
                 "review flags", "password", "quality"],
    "official_fuzhou": ["dashboard", "entry index", "entry grid", "import", "history", "indicator"],
    "admin": ["plan workbook", "dashboard"],
}  # fmt: skip


@pytest.fixture
def site(browser_plan, make_user):
    call_command("load_demo", verbosity=0)
    users = {
        "leader": make_user("leader", roles.LEADER),
        "reviewer": make_user("reviewer", roles.REVIEWER),
        "official_fuzhou": make_user("official_fuzhou", roles.OFFICIAL, districts=["fuzhou"]),
        "admin": make_user("root", superuser=True),
    }
    figure = pipeline.record_value(
        by=users["official_fuzhou"],
        indicator=Indicator.objects.get(code="general_high_school_enrolment"),
        district=District.objects.get(slug="fuzhou"),
        year=YEAR + 1,
        value="15.1",
        action="submit",
        confirm=True,
        note="说明",
        reason="原因",
        measures="措施",
    )
    return users, f"{FJ}/observations/{figure.pk}/history/"


def violations(page):
    """axe-core's serious and critical violations of the WCAG 2 A and AA rules on the page as it stands."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("async (tags) => (await axe.run(document, {runOnly: tags})).violations", RULES)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(" ".join(n["target"]) for n in v["nodes"][:4])
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def log_in(context, live_server, username, language):
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_url(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/plans/**")  # the dashboard, or 待办 for whoever has work
    return page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_serious_axe_violation_on_any_page_for_any_role(site, browser, live_server, language):
    users, history = site
    shots = os.environ.get("PLANBOARD_SCREENSHOT", "")
    found = {}
    anonymous = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = anonymous.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_url(f"{live_server.url}/accounts/login/")
    found[f"login ({language})"] = violations(page)
    anonymous.close()
    for role, names in ROLES.items():
        context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900}, bypass_csp=True)
        page = log_in(context, live_server, users[role].username, language)
        for name in names:
            path = history if PAGES[name] == "history" else PAGES[name]
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            found[f"{name} as {role} ({language})"] = violations(page)
            if shots and os.path.isdir(shots):
                stem = f"{shots}/{language}-{role}-{name.replace(' ', '-')}"
                page.screenshot(path=f"{stem}-1440.png", full_page=False)
                page.set_viewport_size({"width": 390, "height": 844})
                page.screenshot(path=f"{stem}-390.png", full_page=False)
                page.set_viewport_size({"width": 1440, "height": 900})
        context.close()
    # On a phone wide tables scroll inside themselves: the keyboard must reach them too.
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = log_in(context, live_server, users["reviewer"].username, language)
    for name in ("dashboard", "indicator", "history", "review flags", "overview", "district targets"):
        page.goto(live_server.url + (history if PAGES[name] == "history" else PAGES[name]))
        page.wait_for_load_state("networkidle")
        found[f"{name} on a phone ({language})"] = violations(page)
    context.close()
    wrong = {where: problems for where, problems in found.items() if problems}
    assert not wrong, "\n".join(f"{where}: {problems}" for where, problems in wrong.items())
