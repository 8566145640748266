"""Quality assurance from the command line: rebuilding the discipline ladder (`discipline`) and
the calibration report (`calibration`)."""

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

discipline_app = typer.Typer(help="The discipline ladder.", no_args_is_help=True)
calibration_app = typer.Typer(help="Calibration sessions.", no_args_is_help=True)


@discipline_app.command("recompute")
def discipline_recompute(
    agent: Annotated[str | None, typer.Option(help="One agent id; default: every agent.")] = None,
) -> None:
    """Rebuilds the ladder from the evaluations and prints each agent's records by tier."""
    from services.db import session_scope
    from services.qa.discipline import service as discipline

    with session_scope() as db_session:
        result = {}
        for agent_id in [agent] if agent else discipline.agent_ids(db_session=db_session):
            rows = discipline.recompute(db_session=db_session, agent_id=agent_id)
            result[agent_id] = [f"{r.counted_as}:{r.tier}" for r in rows]
    typer.echo(json.dumps(result, ensure_ascii=False))


@calibration_app.command("report")
def calibration_report(
    days: Annotated[int, typer.Option(help="The rolling window, in days.")] = 90,
    team: Annotated[str | None, typer.Option(help="One team's sessions only.")] = None,
    as_of: Annotated[
        datetime | None, typer.Option(help="End of the window (UTC); default: now.")
    ] = None,
) -> None:
    """Prints each inspector's bias against the gold, agreement and recalibration flag."""
    from services.calibration import results
    from services.db import session_scope, utcnow

    end = as_of.replace(tzinfo=UTC) if as_of is not None else utcnow()
    with session_scope() as db_session:
        found = results.report(db_session=db_session, as_of=end, days=days, team=team)
    typer.echo(
        f"校准报告 Calibration report: {len(found['sessions'])} sessions, {days} days to "
        f"{end:%Y-%m-%d %H:%M} UTC, tolerance ±{found['tolerance']:.0%} of the maximum"
    )
    typer.echo(f"{'inspector':<24} {'bias (95% CI)':<26} {'agreement':>9}  leaning  flag")
    for name, row in found["inspectors"].items():
        bias, agree = row["bias"], row["agreement"]
        shown = f"{bias['value']:+.1f} ({bias['low']:+.1f}, {bias['high']:+.1f})" if bias else "-"
        share = f"{agree['value']:.0%}" if agree else "-"
        flag = "需再校准 recalibrate" if row["flagged"] else ""
        typer.echo(f"{name:<24} {shown:<26} {share:>9}  {row['leaning']:<8} {flag}")
