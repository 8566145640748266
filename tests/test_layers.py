"""The layers are checked, not hoped for: the import contracts in pyproject.toml hold, and a
forbidden import, a circle between domain folders or a domain reading another's tables breaks
them."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},  # the copy's packages, not the installed
        capture_output=True,
        text=True,
        timeout=300,
    )


def _copy_with(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the code and its contracts, with ``line`` added to ``module``."""
    for package in ("services", "workers", "models"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.so")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    path = tmp_path / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\n{line}\n")
    return tmp_path


def test_the_code_keeps_its_import_contracts():
    result = _lint(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_rule_language_importing_the_database_breaks_a_contract(tmp_path):
    root = _copy_with(tmp_path, "services.scoring.rules.pack", "import services.db")

    result = _lint(root)

    assert result.returncode != 0
    assert "services.scoring.rules.pack -> services.db" in result.stdout
    assert "1 broken" in result.stdout


def test_a_circle_between_two_domain_folders_breaks_a_contract(tmp_path):
    # calls already builds on people (who may see a call); people importing calls closes a circle
    root = _copy_with(tmp_path, "services.people.service", "import services.calls.service")

    result = _lint(root)

    assert result.returncode != 0
    assert "No cycles are allowed in services." in result.stdout
    assert "1 broken" in result.stdout


def test_a_domain_reading_another_domains_tables_directly_breaks_a_contract(tmp_path):
    # reports reads people through people's service; its tables are people's own
    root = _copy_with(
        tmp_path, "services.reports.service", "from services.people.tables import User"
    )

    result = _lint(root)

    assert result.returncode != 0
    assert "services.reports.service -> services.people.tables" in result.stdout
    assert "1 broken" in result.stdout
