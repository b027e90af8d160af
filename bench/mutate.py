"""A small mutation run over the modules that hold the write pipeline, the review steps, progress, the plan
workbook, plan loading and the continuation rules: do the tests notice when a rule is changed?

    .venv/bin/python bench/mutate.py                       # ~110 mutants: 90 by module size, 8 at least, seeded
    .venv/bin/python bench/mutate.py --total 40 --workers 2
    .venv/bin/python bench/mutate.py --only survivors      # re-run the last run's survivors, not the equivalent
    .venv/bin/python bench/mutate.py --list                # the mutants the seed picks, without running them

Each mutant changes one thing in one module (a comparison flipped, `and` for `or`, `+` for `-`, a number plus
one, `return x` made `return None`, a `raise` removed, an `if` negated, a `not` dropped). The module is parsed,
the one node changed and the module written back (`ast.unparse`: comments go, behaviour stays) into a copy of
the worktree in /tmp, where the module's own fast test subset runs (`pytest -x`, SQLite, no browser tests) with
a timeout. A mutant is killed when a test fails, survives when all pass. Every run starts from a copy of one
prepared SQLite test database (`--reuse-db`), so migrations run once per worker, not once per mutant.

Results go to bench/mutants.json: one record per mutant with its key (module, function, the change and its
occurrence, stable when lines move), its status (killed, survived, timeout) and seconds. `EQUIVALENT` names the
survivors no test can kill because the program behaves the same, with the reason; the score leaves them out.
"""

import argparse
import ast
import copy
import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "mutants.json"
PYTEST = [".venv/bin/pytest", "-x", "-q", "-p", "no:cacheprovider", "--reuse-db", "-m", "not browser"]

PIPELINE_TESTS = [
    "tests/figures/test_pipeline.py",
    "tests/figures/test_pipeline_rules.py",
    "tests/figures/test_validation.py",
    "tests/figures/test_entry.py",
    "tests/figures/test_import_confirm.py",
    "tests/figures/test_year_lock_confirm.py",
    "tests/figures/test_exact_storage.py",
    "tests/figures/test_shared_figures.py",
    "tests/figures/test_api_observations.py",
]
REVIEW_TESTS = [
    "tests/figures/test_review.py",
    "tests/figures/test_review_rules.py",
    "tests/figures/test_two_level_review.py",
    "tests/figures/test_history.py",
    "tests/figures/test_year_lock_confirm.py",
    "tests/figures/test_review_page.py",
]
PROGRESS_TESTS = [
    "tests/plans/test_progress.py",
    "tests/plans/test_verdicts.py",
    "tests/plans/test_method.py",
    "tests/plans/test_progress_edges.py",
    "tests/figures/test_plan_assess.py",
]
WORKBOOK_TESTS = [
    "tests/figures/test_plan_workbook_checks.py",
    "tests/figures/test_plan_workbook.py",
    "tests/figures/test_plan_workbook_door.py",
    "tests/figures/test_plan_workbook_pages.py",
    "tests/figures/test_upload_limits.py",
]
LOADING_TESTS = [
    "tests/figures/test_plan_loading.py",
    "tests/figures/test_plan_loading_removals.py",
    "tests/figures/test_plan_baselines.py",
    "tests/figures/test_plan_fields.py",
    "tests/figures/test_plan_workbook.py",
    "tests/test_the_next_plan.py",
]
CONTINUATION_TESTS = [
    "tests/figures/test_continuation_chain.py",
    "tests/figures/test_continuation_rules.py",
    "tests/figures/test_shared_figures.py",
    "tests/test_the_next_plan.py",
    "tests/test_several_plans.py",
]

# (module, the functions mutated there or None for all, its tests)
CONTINUATION_RULES = {
    "plan_years_problem",
    "closed_years",
    "Plan.chains_problem",
    "Plan.is_read_only",
    "Plan.closes",
    "statistics",
    "Indicator.statistic",
    "Indicator.chain_problem",
    "Indicator.later_links_problem",
    "Indicator.continuation_problem",
    "continued_elsewhere",
}
TARGETS = [
    ("figures/pipeline.py", None, PIPELINE_TESTS),
    ("figures/pipeline_checks.py", None, PIPELINE_TESTS),
    ("figures/pipeline_rows.py", None, PIPELINE_TESTS),
    ("figures/review.py", None, REVIEW_TESTS),
    ("plans/progress.py", None, PROGRESS_TESTS),
    ("plans/workbook.py", None, WORKBOOK_TESTS),
    ("plans/workbook_reading.py", None, WORKBOOK_TESTS),
    ("figures/plan_loading.py", None, LOADING_TESTS),
    ("plans/models.py", CONTINUATION_RULES, CONTINUATION_TESTS),
    ("figures/models.py", {"ObservationQuerySet.shown_in"}, CONTINUATION_TESTS),
]

FLIPS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
# A query's range lookups, flipped as comparisons are.
LOOKUP_FLIPS = {"__gte": "__gt", "__lte": "__lt", "__gt": "__gte", "__lt": "__lte"}
# Calls whose keywords are conditions of a query: one of them dropped is a mutant.
QUERY_CALLS = {"Q", "filter", "exclude", "get"}
# Numbers that only size things (history batches, column widths): a change there is no rule's.
SIZING_KEYWORDS = {"batch_size", "most"}

# Survivors no test can kill, by key, with the reason (see bench/README.md, "Mutation run").
EQUIVALENT = {
    "figures/plan_loading.py": {
        "_Load.baselines::filter(..year__in=..) -> filter(.. without year__in)#1": "the stored figures are looked up"
        " by (indicator, district, year), so reading every year's finds the same ones; only slower",
    },
    "plans/progress.py": {
        "within_gap::abs(threshold(final, direction) - base) <= level_gap + TOLERANCE -> abs(threshold(final,"
        " direction) - base) < level_gap + TOLERANCE#1": "the 1e-9 tolerance already admits the gap itself; the two"
        " differ only at exactly gap + 1e-9, which no figure of at most 4 decimals reaches",
    },
    "plans/workbook_reading.py": {
        "_Reader.table::index < len(line) -> index <= len(line)#1": "xlsx_uploads.sheet_values pads every row to"
        " the sheet's width, at least the header's, so a column found in the header is always within the row",
    },
}


class _Mutants(ast.NodeTransformer):
    """Walks a module in a fixed order, numbering every place a mutant can go; with `target` set it changes that
    one place. `functions` limits the places to these (qualified) functions."""

    def __init__(self, functions=None, target=None):
        self.functions, self.target = functions, target
        self.found = []  # (function, original, mutant, line)
        self.scope = []
        self.seen = Counter()

    # Where we are

    def _qualified(self):
        return ".".join(self.scope)

    def _wanted(self):
        if self.functions is None:
            return True
        name = self._qualified()
        return any(name == f or name.startswith(f + ".") for f in self.functions)

    def _scoped(self, node):
        self.scope.append(node.name)
        if node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            node.body[0]._docstring = True
        self.generic_visit(node)
        self.scope.pop()
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def _offer(self, node, original, mutated, make):
        """Count a place; return the mutant node if it is the one wanted, else None."""
        if not self._wanted():
            return None
        function = self._qualified() or "<module>"
        name = f"{original} -> {mutated}"
        self.seen[(function, name)] += 1
        key = f"{function}::{name}#{self.seen[(function, name)]}"
        self.found.append({"key": key, "function": function, "line": getattr(node, "lineno", 0), "change": name})
        if self.target is not None and len(self.found) - 1 == self.target:
            return make()
        return None

    # What is left alone

    def visit_Expr(self, node):
        if getattr(node, "_docstring", False):
            return node
        return self.generic_visit(node)

    def visit_keyword(self, node):
        if node.arg in SIZING_KEYWORDS:
            return node
        self.generic_visit(node)
        lookup = next((s for s in LOOKUP_FLIPS if (node.arg or "").endswith(s)), None)
        if lookup is None:
            return node
        flipped = node.arg[: -len(lookup)] + LOOKUP_FLIPS[lookup]

        def make():
            return ast.keyword(arg=flipped, value=node.value)

        return self._offer(node, node.arg, flipped, make) or node

    def visit_AnnAssign(self, node):
        if node.value is not None:
            node.value = self.visit(node.value)
        return node

    def visit_JoinedStr(self, node):
        return node  # f-strings: messages and SQL text

    # The mutants

    def visit_Compare(self, node):
        self.generic_visit(node)
        for position, op in enumerate(node.ops):
            flipped = FLIPS.get(type(op))
            if flipped is None:
                continue

            def make(position=position, flipped=flipped):
                changed = copy.copy(node)
                changed.ops = list(node.ops)
                changed.ops[position] = flipped()
                return changed

            mutant = self._offer(node, _src(node), _src(make()), make)
            if mutant is not None:
                return mutant
        return node

    def visit_BoolOp(self, node):
        self.generic_visit(node)

        def make():
            return ast.BoolOp(op=ast.Or() if isinstance(node.op, ast.And) else ast.And(), values=node.values)

        return self._offer(node, _src(node), _src(make()), make) or node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        swap = {ast.Add: ast.Sub, ast.Sub: ast.Add}.get(type(node.op))
        if swap is None or _is_text(node):
            return node

        def make():
            return ast.BinOp(left=node.left, op=swap(), right=node.right)

        return self._offer(node, _src(node), _src(make()), make) or node

    def visit_Constant(self, node):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            return node

        def make():
            return ast.Constant(value=node.value + 1)

        return self._offer(node, repr(node.value), repr(node.value + 1), make) or node

    def visit_Return(self, node):
        self.generic_visit(node)
        if node.value is None or isinstance(node.value, ast.Constant) and node.value.value is None:
            return node

        def make():
            return ast.Return(value=ast.Constant(value=None))

        return self._offer(node, f"return {_src(node.value)}", "return None", make) or node

    def visit_Raise(self, node):
        self.generic_visit(node)
        if node.exc is None:
            return node  # a bare re-raise

        def make():
            return ast.Pass()

        return self._offer(node, f"raise {_src(node.exc)}", "pass", make) or node

    def visit_If(self, node):
        self.generic_visit(node)

        def make():
            changed = copy.copy(node)
            changed.test = ast.UnaryOp(op=ast.Not(), operand=node.test)
            return changed

        return self._offer(node, f"if {_src(node.test)}", f"if not ({_src(node.test)})", make) or node

    def visit_Call(self, node):
        self.generic_visit(node)
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in QUERY_CALLS or len(node.keywords) < 2:
            return node
        for position, dropped in enumerate(node.keywords):

            def make(position=position):
                changed = copy.copy(node)
                changed.keywords = node.keywords[:position] + node.keywords[position + 1 :]
                return changed

            mutant = self._offer(node, f"{name}(..{dropped.arg}=..)", f"{name}(.. without {dropped.arg})", make)
            if mutant is not None:
                return mutant
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if not isinstance(node.op, ast.Not):
            return node
        return self._offer(node, _src(node), _src(node.operand), lambda: node.operand) or node


def _src(node):
    text = ast.unparse(node).replace("\n", " ")
    return text if len(text) <= 120 else text[:117] + "..."


def _is_text(node):
    return any(
        isinstance(n, (ast.JoinedStr,)) or isinstance(n, ast.Constant) and isinstance(n.value, str)
        for n in (node.left, node.right)
    )


def places(path, functions):
    """Every mutant of one module, in walk order."""
    walker = _Mutants(functions)
    walker.visit(ast.parse((ROOT / path).read_text()))
    return walker.found


def mutated_source(path, functions, index):
    tree = ast.parse((ROOT / path).read_text())
    walker = _Mutants(functions, target=index)
    tree = ast.fix_missing_locations(walker.visit(tree))
    return ast.unparse(tree) + "\n"


def plan(total, seed):
    """The mutants a run tries: every module's places, sampled with the seed, each module's share by its size
    but at least 8 (or all it has)."""
    rng = random.Random(seed)
    every = {path: places(path, functions) for path, functions, _tests in TARGETS}
    count = sum(len(v) for v in every.values())
    chosen = []
    for path, found in every.items():
        share = min(len(found), max(8, round(total * len(found) / count)))
        for index in sorted(rng.sample(range(len(found)), share)):
            chosen.append(dict(found[index], module=path, index=index))
    return chosen, {path: len(found) for path, found in every.items()}


# Running


def _copy_worktree(worker):
    target = Path(f"/tmp/mut-{worker}")
    if target.exists():
        shutil.rmtree(target)
    ignore = shutil.ignore_patterns(".git", "var", "staticfiles", "__pycache__", ".pytest_cache", ".ruff_cache")
    shutil.copytree(ROOT, target, symlinks=True, ignore=ignore)
    return target


def _env(copy_root, database):
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # SQLite
    env.update(
        SECRET_KEY="mutants",
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
        TEST_SQLITE_FILE=str(database),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _run(copy_root, tests, database, timeout):
    """(passed, timed out, seconds) of one pytest run on the copy."""
    template = copy_root / "template.sqlite3"
    shutil.copyfile(template, database)
    tests = [t for t in tests if (copy_root / t).exists()]
    started = time.monotonic()
    process = subprocess.Popen(
        [*PYTEST, *tests],
        cwd=copy_root,
        env=_env(copy_root, database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return False, True, time.monotonic() - started
    return code == 0, False, time.monotonic() - started


def _prepare(worker):
    """A copy of the worktree and its template test database (migrated, the plan loaded)."""
    root = _copy_worktree(worker)
    template = root / "template.sqlite3"
    subprocess.run(
        [*PYTEST, "tests/plans/test_method.py", "tests/figures/test_plan_fields.py"],
        cwd=root,
        env=_env(root, template),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return root


def run(mutants, workers, timeout):
    tests_of = {path: tests for path, _functions, tests in TARGETS}
    functions_of = {path: functions for path, functions, _tests in TARGETS}
    with ThreadPoolExecutor(workers) as pool:
        roots = dict(enumerate(pool.map(_prepare, range(workers))))
    # Each module's tests pass without a mutant (else every mutant would look killed); their time sets the timeout.
    suites = list(dict.fromkeys(tuple(tests_of[m["module"]]) for m in mutants))
    baseline = {}

    def measure(n):
        worker, tests = n % workers, suites[n]
        passed, _timed_out, seconds = _run(roots[worker], tests, roots[worker] / f"base-{n}.sqlite3", 1800)
        if not passed:
            sys.exit(f"these tests fail without a mutant, fix them first: {' '.join(tests)}")
        baseline[tests] = seconds
        print(f"baseline {seconds:.0f}s: {' '.join(tests)}", flush=True)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(measure, range(len(suites))))
    # Round robin over the modules, so that a run stopped early has tried every module.
    by_module = defaultdict(list)
    for mutant in mutants:
        by_module[mutant["module"]].append(mutant)
    queue = [m for batch in itertools.zip_longest(*by_module.values()) for m in batch if m is not None]
    results, lock = [], threading.Lock()

    def work(worker):
        root = roots[worker]
        while queue:
            mutant = queue.pop(0)
            path = mutant["module"]
            original = (ROOT / path).read_text()
            (root / path).write_text(mutated_source(path, functions_of[path], mutant["index"]))
            limit = timeout or 2 * baseline[tuple(tests_of[path])] + 60
            try:
                passed, timed_out, seconds = _run(root, tests_of[path], root / "run.sqlite3", limit)
            finally:
                (root / path).write_text(original)
            status = "timeout" if timed_out else "survived" if passed else "killed"
            record = dict(mutant, status=status, seconds=round(seconds, 1))
            print(f"{status:8} {path}:{mutant['line']} {mutant['change']} ({seconds:.0f}s)", flush=True)
            with lock:
                results.append(record)
                save(results)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(work, range(workers)))
    for root in roots.values():
        shutil.rmtree(root, ignore_errors=True)
    return sorted(results, key=lambda r: (r["module"], r["index"]))


def save(results):
    """Write bench/mutants.json: a re-run replaces the records of the mutants it ran and keeps the others."""
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    ran = {(r["module"], r["key"]) for r in results}
    merged = [r for r in previous if (r["module"], r["key"]) not in ran] + list(results)
    merged.sort(key=lambda r: (r["module"], r["index"]))
    RESULTS.write_text(json.dumps(merged, ensure_ascii=False, indent=1) + "\n")
    return merged


def summary(results):
    rows = defaultdict(Counter)
    for r in results:
        status = r["status"]
        if status == "survived" and r["key"] in EQUIVALENT.get(r["module"], {}):
            status = "equivalent"
        rows[r["module"]][status] += 1
    lines = [
        "| module | mutants | killed | timeout | equivalent | survived (real) | score |",
        "|---|---|---|---|---|---|---|",
    ]
    total = Counter()
    for module, c in sorted(rows.items()):
        total.update(c)
        lines.append(_line(module, c))
    lines.append(_line("**all**", total))
    return "\n".join(lines)


def _line(name, c):
    n = sum(c.values())
    caught = c["killed"] + c["timeout"]
    real = n - c["equivalent"]
    score = f"{100 * caught / real:.1f}%" if real else "-"
    return f"| {name} | {n} | {c['killed']} | {c['timeout']} | {c['equivalent']} | {c['survived']} | {score} |"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--total", type=int, default=90)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=None, help="seconds per mutant (default: 2x baseline + 60)")
    parser.add_argument("--only", help="'survivors' (of bench/mutants.json) or comma-separated keys module::key")
    parser.add_argument("--module", help="only this module's mutants")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    os.chdir(ROOT)
    mutants, sizes = plan(args.total, args.seed)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    if args.only == "survivors":
        wanted = {
            (r["module"], r["key"])
            for r in previous
            if r["status"] == "survived" and r["key"] not in EQUIVALENT.get(r["module"], {})
        }
        mutants = [m for m in mutants if (m["module"], m["key"]) in wanted]
    elif args.only:
        wanted = {tuple(k.split("::", 1)) for k in args.only.split(",")}
        mutants = [m for m in mutants if (m["module"], m["key"]) in wanted]
    if args.module:
        mutants = [m for m in mutants if m["module"] == args.module]
    if args.list:
        for path, size in sizes.items():
            print(f"{path}: {size} places, {sum(m['module'] == path for m in mutants)} chosen")
        for m in mutants:
            print(f"{m['module']}:{m['line']} [{m['function']}] {m['change']}")
        return
    merged = save(run(mutants, args.workers, args.timeout))
    print(summary(merged))
    for r in merged:
        if r["status"] == "survived":
            why = EQUIVALENT.get(r["module"], {}).get(r["key"], "REAL GAP")
            print(f"survived {r['module']}:{r['line']} [{r['function']}] {r['change']} -- {why}")


if __name__ == "__main__":
    main()
