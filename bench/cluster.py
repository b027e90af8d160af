"""The Python half of bench/cluster.sh (run by it; see there).

cluster.py setup FILE        a leader's session and WRITERS officials each owning one cell, as JSON in FILE
cluster.py write FILE LOG    the officials save their cells through the API (BASE) for SECONDS, logging each
                             acknowledged save (2xx) and each failure by kind, one JSON line each, in LOG
cluster.py check LOG…        per scenario: saves acknowledged, how many of them are in the database, failures
"""

import collections
import hashlib
import json
import os
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planboard.settings")
    import django

    django.setup()


def setup(out):
    django_setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from figures.models import ApiToken, Observation, ReportingYear
    from planboard import roles
    from plans.models import District, Plan, Target

    roles.ensure_groups()
    users = get_user_model().objects
    leader, _ = users.get_or_create(username="bench_leader")
    leader.groups.add(Group.objects.get(name=roles.LEADER))
    session = SessionStore()
    session.update(
        {
            SESSION_KEY: str(leader.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: leader.get_session_auth_hash(),
        }
    )
    session.create()

    # Each official owns one cell of his district: a year he may still fill, with an approved figure the year before
    # and none approved in it. Nobody else writes it, so every save must succeed.
    plan = Plan.objects.current()
    locked = set(ReportingYear.objects.filter(plan=plan, locked=True).values_list("year", flat=True))
    open_years = range(plan.base_year + 1, min(plan.target_year, timezone.localdate().year) + 1)
    years = [y for y in open_years if y not in locked]
    writers = []
    for district in District.objects.exclude(kind="province").order_by("order", "code"):
        figures = {
            (o.indicator_id, o.year): o for o in Observation.objects.filter(indicator__plan=plan, district=district)
        }
        cell = None
        for target in Target.objects.filter(indicator__plan=plan, district=district).select_related("indicator"):
            indicator = target.indicator
            for year in reversed(years):
                stored = figures.get((indicator.pk, year))
                earlier = [
                    o for (i, y), o in figures.items() if i == indicator.pk and y < year and o.status == "approved"
                ]
                if earlier and (stored is None or stored.status != "approved"):
                    value = max(earlier, key=lambda o: o.year).value
                    cell = (indicator.code, year, format(value.normalize(), "f"), stored.version if stored else None)
                    break
            if cell:
                break
        if cell is None:
            continue
        user, _ = users.get_or_create(username=f"bench_official_{district.code}")
        user.groups.add(Group.objects.get(name=roles.OFFICIAL))
        district.members.add(user)
        key = secrets.token_urlsafe(32)
        ApiToken.objects.update_or_create(user=user, defaults={"digest": hashlib.sha256(key.encode()).hexdigest()})
        indicator, year, value, version = cell
        writers.append(
            {
                "token": key,
                "indicator": indicator,
                "district": district.code,
                "year": year,
                "value": value,
                "version": version,
            }
        )
        if len(writers) >= int(os.environ.get("WRITERS", 4)):
            break
    province = District.objects.province()
    indicator = (
        Target.objects.filter(indicator__plan=plan, district=province).order_by("indicator__order").first().indicator
    )
    Path(out).write_text(
        json.dumps(
            {
                "session": session.session_key,
                "plan": plan.code,
                "district": province.code,
                "indicator": indicator.code,
                "writers": writers,
            }
        )
    )


def call(base, token, method, path, body=None):
    request = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, json.loads(answer.read())


def write(setup_file, log):
    base, seconds, scenario = os.environ["BASE"], float(os.environ["SECONDS_TO_WRITE"]), os.environ["SCENARIO"]
    writers = json.loads(Path(setup_file).read_text())["writers"][: int(os.environ.get("WRITERS_NOW", 10**6))]
    # Seconds an official waits after each acknowledged save: 0 saves as fast as the site answers (a stress far beyond
    # any office); a real official saves a figure every minute or so.
    pause = float(os.environ.get("WRITE_PAUSE", 0))
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    out = open(log, "a")

    def record(entry):
        with lock:
            out.write(json.dumps({"scenario": scenario, **entry}, ensure_ascii=False) + "\n")

    def current_version(cell):
        query = urllib.parse.urlencode({k: cell[k] for k in ("indicator", "district", "year")})
        _, found = call(base, cell["token"], "GET", f"/api/observations/?{query}")
        return found["observations"][0]["version"] if found["observations"] else None

    def official(cell):
        version, n = current_version(cell), 0
        while time.monotonic() < stop:
            n += 1
            note = f"cluster {scenario} {cell['district']} {n}"
            body = {k: cell[k] for k in ("indicator", "district", "year", "value")} | {"note": note, "action": "save"}
            if version is not None:
                body["version"] = version
            try:
                status, answer = call(base, cell["token"], "POST", "/api/observations/", body)
                version = answer["version"]
                record({"ack": status, "district": cell["district"], "year": cell["year"], "note": note})
                time.sleep(pause)
                continue
            except urllib.error.HTTPError as error:
                kind = f"http{error.code}"
            except (OSError, ValueError) as error:
                kind = type(error).__name__
            record({"failed": kind, "district": cell["district"], "note": note})
            time.sleep(0.2)
            # The save may have landed before the answer was lost: read the figure's version again.
            try:
                version = current_version(cell)
            except (OSError, ValueError, KeyError):
                pass

    threads = [threading.Thread(target=official, args=(cell,)) for cell in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.close()


def check(logs):
    django_setup()
    from figures.models import Observation

    history = Observation.history.model.objects
    by_scenario = collections.defaultdict(lambda: {"acked": 0, "kept": 0, "failed": collections.Counter()})
    for log in logs:
        for line in Path(log).read_text().splitlines():
            entry = json.loads(line)
            tally = by_scenario[entry["scenario"]]
            if "ack" in entry:
                tally["acked"] += 1
                cell = {"district__code": entry["district"], "year": entry["year"], "note": entry["note"]}
                tally["kept"] += history.filter(**cell).exists()
            else:
                tally["failed"][entry["failed"]] += 1
    for scenario, tally in by_scenario.items():
        failed = ",".join(f"{kind}={n}" for kind, n in sorted(tally["failed"].items())) or "-"
        print(scenario, tally["acked"], tally["kept"], failed)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"setup": setup, "write": write, "check": lambda *logs: check(logs)}[command](*args)
