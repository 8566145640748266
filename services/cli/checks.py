"""Checking what scoring and transcription rely on: rule packs against their test cases
(`rules test`) and the classifiers cross-validated on their data (`models evaluate-*`)."""

from pathlib import Path
from typing import Annotated

import typer

rules_app = typer.Typer(help="Rule packs.", no_args_is_help=True)
models_app = typer.Typer(help="Machine-learning models.", no_args_is_help=True)


@rules_app.command("test")
def rules_test(
    pack: Annotated[
        str | None, typer.Argument(help="A pack id or file; all packs if left out.")
    ] = None,
) -> None:
    """Validates rule packs and runs their test cases; exits 1 on any failure."""
    from services.config import get_settings
    from services.scoring.rules import pack as pack_module
    from services.scoring.rules import packtests

    rules_dir = get_settings().rules_dir
    if pack is None:
        paths = sorted(rules_dir.glob("*.yaml"))
    elif Path(pack).is_file():
        paths = [Path(pack)]
    else:
        paths = [rules_dir / f"{pack}.yaml"]
    failed = False
    for path in paths:
        try:
            compiled = pack_module.load(path)
        except (pack_module.PackError, OSError) as exc:
            typer.echo(f"FAIL {path}: {exc}")
            failed = True
            continue
        count, failures = packtests.run(compiled)
        verdict = "ok  " if not failures else "FAIL"
        typer.echo(
            f"{verdict} {compiled.id} {compiled.version}: {count} cases, {len(failures)} failed"
        )
        for failure in failures:
            typer.echo(f"     {failure}")
        failed = failed or bool(failures)
    raise typer.Exit(1 if failed or not paths else 0)


@models_app.command("evaluate-sentiment")
def evaluate_sentiment() -> None:
    """Cross-validates the sentiment classifier on its data and prints the figures."""
    from models.sentiment.classifier import evaluate
    from services.text.normalise import normalise

    for key, value in evaluate(normalise).items():
        typer.echo(f"{key:14} {value}")


@models_app.command("evaluate-roles")
def evaluate_roles() -> None:
    """Cross-validates the agent/customer language classifier (mono recordings) on its data."""
    from models.speaker.roles import evaluate

    for key, value in evaluate().items():
        typer.echo(f"{key:14} {value}")
