"""Writers racing each other, in threads on a database they share: one wins, the others get a clear refusal, and
nothing is stored that a check under the locks would have refused."""

import io
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from figures.models import Observation
from plans.models import District
from tests.story import official_for

COUNTIES = "compulsory_quality_balanced_counties"


def race(n, attempt):
    """Run attempt(0..n-1) in n threads released at once; their results (or the repr of what they raised)."""
    barrier, results = threading.Barrier(n), [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = attempt(i)
        except Exception as error:  # noqa: BLE001 - the test reports any other outcome
            results[i] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def messages_at(client, url):
    return " ".join(str(m) for m in client.get(url, follow=True).context["messages"])


def _csv(i):
    header = "指标,地区,年份,数值,说明,确认大幅变动"
    file = io.BytesIO(f"{header}\n{COUNTIES},350200,2025,{10 + i},imp{i},是\n".encode())
    file.name = f"imp{i}.csv"
    return file


@pytest.mark.django_db(transaction=True)
def test_sessions_confirming_the_same_new_figure_at_once_one_wins_the_others_are_told_why(browser_plan):
    xiamen = District.objects.get(code="350200")
    official = official_for(xiamen)
    n = 8
    sessions = []
    for i in range(n):
        client = Client()
        client.force_login(official)
        assert client.post(reverse("figures:import"), {"file": _csv(i), "action": "save"}).status_code == 302
        preview = client.get(reverse("figures:import-preview")).context["preview"]
        assert preview.counts["new"] == 1, preview.lines
        sessions.append(client)

    address = reverse("figures:import-confirm")  # reverse() knows the plan's pages in the test's thread only

    def confirm(i):
        return sessions[i].post(address)

    responses = race(n, confirm)
    assert all(getattr(r, "status_code", r) == 302 for r in responses), responses  # never a server error
    # The page each confirmation leads to says what happened.
    results = [(r.status_code, messages_at(client, r.url)) for client, r in zip(sessions, responses, strict=True)]
    won = [said for status, said in results if "新增 1 行" in said]
    refused = [said for status, said in results if "未导入任何数据" in said]
    assert len(won) == 1 and len(refused) == n - 1, results
    # Each refusal names the figure the preview said was new, and what it is now.
    figure = Observation.objects.get(indicator__code=COUNTIES, district=xiamen, year=2025)
    assert all("厦门市" in said and "预览后已被" in said for said in refused), refused
    assert figure.version == 1 and figure.history.count() == 1
    assert "新增 1 行" in won[0]
