"""Mutation testing of the modules where a silent break hurts people.

Each target in ``scripts/mutation.toml`` names a module, optionally the functions in it to
mutate, and the tests that cover it. cosmic-ray changes a scratch copy of the project one small
change (a mutant) at a time and runs those tests; a mutant the tests do not notice survives.
Prints the kill rate per target and every survivor, marking those the file lists as equivalent
(with why). Exits 1 when a target kills under ``goal`` of its mutants.

Usage: ``scripts/mutation [TARGET …]`` (all targets when none is named).
"""

import ast
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

from services.local.processes import S3Server

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "scripts" / "mutation.toml"
# gitignored; another folder (ZHIJIAN_MUTATION_DIR) lets a second run go on beside the first
SCRATCH = Path(os.environ.get("ZHIJIAN_MUTATION_DIR") or ROOT / "mutants")
# cosmic-ray offers every operator for every other; these are the changes a real slip makes
# (an edge moved, a condition negated, a sign flipped). The rest multiply the run time by about
# three and are killed anyway, or mean nothing (an arithmetic sign replaced by a bit shift).
KEPT_REPLACEMENTS = {
    "ReplaceComparisonOperator": {
        "Lt_LtE", "LtE_Lt", "Gt_GtE", "GtE_Gt", "Lt_GtE", "GtE_Lt", "LtE_Gt", "Gt_LtE",
        "Eq_NotEq", "NotEq_Eq", "Is_IsNot", "IsNot_Is",
    },
    "ReplaceBinaryOperator": {"Add_Sub", "Sub_Add", "Mul_Div", "Div_Mul", "Mod_Mul"},
    "ReplaceUnaryOperator": {"USub_UAdd", "Delete_Not", "Delete_USub"},
}  # fmt: skip


@dataclass
class Survivor:
    """A mutant no test noticed."""

    function: str
    line: int
    operator: str
    code: str
    equivalent: str | None = None


@dataclass
class Outcome:
    """What one target's run found."""

    name: str
    killed: int = 0
    survivors: list[Survivor] = field(default_factory=list)

    @property
    def equivalent(self) -> int:
        """Survivors listed as equivalent: no test could tell them from the original."""
        return sum(s.equivalent is not None for s in self.survivors)

    @property
    def rate(self) -> float:
        """Killed mutants as a share of those that change behaviour."""
        counted = self.killed + len(self.survivors) - self.equivalent
        return self.killed / counted if counted else 1.0


def copy_project() -> Path:
    """A scratch copy of the project (tracked and new files, the built extension) to mutate."""
    tree = SCRATCH / "tree"
    shutil.rmtree(SCRATCH, ignore_errors=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    built = [str(p.relative_to(ROOT)) for p in (ROOT / "services").rglob("*.so")]
    for name in filter(None, [*listed, *built]):
        source = ROOT / name
        if source.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / name)
    return tree


def function_lines(module: Path, functions: list[str]) -> list[tuple[str, int, int]]:
    """(name, first line, last line) of every function in ``module``."""
    found = [
        (node.name, node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(ast.parse(module.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    missing = set(functions) - {name for name, _, _ in found}
    if missing:
        sys.exit(f"{module}: no function {', '.join(sorted(missing))} (scripts/mutation.toml)")
    return found


def kept(operator: str) -> bool:
    """Whether a cosmic-ray operator is one of the mutations this run makes."""
    family, _, replacement = operator.removeprefix("core/").partition("_")
    return family not in KEPT_REPLACEMENTS or replacement in KEPT_REPLACEMENTS[family]


def enclosing(spans: list[tuple[str, int, int]], line: int) -> str:
    """The innermost function holding ``line`` (``<module>`` outside any)."""
    holding = [(last - first, name) for name, first, last in spans if first <= line <= last]
    return min(holding)[1] if holding else "<module>"


def keyword_only_marker(lines: list[str], line: int, column: int) -> bool:
    """Whether a "multiplication" is the bare ``*`` of a signature, which cosmic-ray mutates."""
    text = lines[line - 1]
    return text[column : column + 1] == "*" and text[column + 1 :].lstrip()[:1] in (",", ")")


def select_mutants(session: Path, module: Path, functions: list[str]) -> int:
    """Skips mutants of other functions and of operators not kept; returns how many remain."""
    spans = function_lines(module, functions)
    lines = module.read_text().splitlines()
    remaining = 0
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in list(db.pending_work_items):
            mutation = item.mutations[0]
            line, column = mutation.start_pos
            function = enclosing(spans, line)
            if (
                kept(mutation.operator_name)
                and (not functions or function in functions)
                and not keyword_only_marker(lines, line, column)
            ):
                remaining += 1
            else:
                db.set_result(
                    item.job_id,
                    WorkResult(output="not selected", worker_outcome=WorkerOutcome.SKIPPED),
                )
    return remaining


def test_command(tests: list[str], *, conftest: bool = True) -> list[str]:
    """The tests of one target: the fast ones, stopping at the first failure. Tests of pure
    functions skip the conftest files (``conftest = false``): they need no database nor S3
    server, and making those costs far more than the tests themselves, for every mutant."""
    # Nor do they need the API test plugins, whose import of hypothesis takes longer than them.
    skip = (
        [] if conftest else ["--noconftest", "-p", "no:schemathesis", "-p", "no:hypothesispytest"]
    )
    return [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
            "-m", "not slow", *skip, *tests]  # fmt: skip


def run_target(name: str, target: dict, tree: Path, env: dict[str, str]) -> Outcome:
    """Runs one target's mutants and collects what survived."""
    module, functions = target["module"], target.get("functions", [])
    command = test_command(target["tests"], conftest=target.get("conftest", True))
    work = SCRATCH / name
    work.mkdir(parents=True)
    started = time.monotonic()
    baseline = subprocess.run(command, cwd=tree, env=env, capture_output=True)
    if baseline.returncode != 0:
        sys.exit(f"{name}: the tests fail without any mutant:\n{baseline.stdout.decode()[-3000:]}")
    seconds = time.monotonic() - started
    config = work / "config.toml"
    config.write_text(
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(module)}\n"
        f"timeout = {max(60.0, 4 * seconds):.0f}\n"  # a mutant that loops is stopped, killed
        "excluded-modules = []\n"
        f"test-command = {json.dumps(subprocess.list2cmdline(command))}\n"
        '[cosmic-ray.distributor]\nname = "local"\n'
    )
    session = work / "session.sqlite"
    cosmic = [str(Path(sys.executable).parent / "cosmic-ray")]
    subprocess.run([*cosmic, "init", str(config), str(session)], cwd=tree, env=env, check=True)
    count = select_mutants(session, tree / module, functions)
    print(f"{name}: {count} mutants of {module}, tests take {seconds:.0f} s", flush=True)
    subprocess.run([*cosmic, "exec", str(config), str(session)], cwd=tree, env=env, check=True)
    return collect(name, target, session, tree / module)


def collect(name: str, target: dict, session: Path, module: Path) -> Outcome:
    """Counts the killed mutants and lists the survivors, marking the known equivalent ones."""
    lines = module.read_text().splitlines()
    spans = function_lines(module, [])
    equivalent = {
        (e["function"], e["operator"], e["code"]): e["reason"] for e in target.get("equivalent", [])
    }
    outcome = Outcome(name)
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            if result.test_outcome != TestOutcome.SURVIVED:
                outcome.killed += 1  # failed tests, or a run broken or stopped by the mutant
                continue
            mutation = item.mutations[0]
            line = mutation.start_pos[0]
            operator = mutation.operator_name.removeprefix("core/")
            code = lines[line - 1].strip()
            function = enclosing(spans, line)
            why = equivalent.get((function, operator, code))
            outcome.survivors.append(Survivor(function, line, operator, code, why))
    return outcome


def report(outcomes: list[Outcome], goal: float) -> None:
    """Prints the kill rate per target, then each survivor."""
    print(f"\n{'target':<16} {'killed':>7} {'survived':>9} {'equivalent':>11} {'rate':>7}")
    for o in outcomes:
        mark = "" if o.rate >= goal else f"   under {goal:.0%}"
        survived = len(o.survivors)
        print(f"{o.name:<16} {o.killed:>7} {survived:>9} {o.equivalent:>11} {o.rate:>7.1%}{mark}")
    for o in outcomes:
        for s in o.survivors:
            why = f"equivalent: {s.equivalent}" if s.equivalent else "SURVIVED"
            print(f"{o.name}: {s.function} line {s.line} {s.operator}: {s.code}\n    {why}")


def main(names: list[str]) -> int:
    """Runs the named targets (all when none is named); 1 when one kills under the goal."""
    # Stopped, it still stops its S3 server (the with block below) and the running mutant.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    config = tomllib.loads(CONFIG.read_text())
    targets, goal = config["target"], config["goal"]
    unknown = set(names) - set(targets)
    if unknown:
        sys.exit(f"unknown target {', '.join(sorted(unknown))}; known: {', '.join(targets)}")
    tree = copy_project()
    imported = subprocess.run(
        [sys.executable, "-c", "import services; print(services.__file__)"],
        cwd=tree, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if not Path(imported.strip()).is_relative_to(tree):
        sys.exit(f"the tests would import zhijian from {imported.strip()}, not the mutated copy")
    outcomes = []
    with S3Server(SCRATCH / "s3", access_key="mutation", secret_key=secrets.token_hex(16)) as s3:
        env = {
            **os.environ,
            "ZHIJIAN_TEST_S3_ENDPOINT": s3.endpoint,
            "ZHIJIAN_TEST_S3_ACCESS_KEY": s3.access_key,
            "ZHIJIAN_TEST_S3_SECRET_KEY": s3.secret_key,
            # A mutant may keep the file's size and second: never run a stale compiled copy.
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        for name in names or list(targets):
            outcomes.append(run_target(name, targets[name], tree, env))
    report(outcomes, goal)
    return 0 if all(o.rate >= goal for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
