"""``zhijian rescore``: re-scoring stored calls in bulk, as a job of chunked tasks for the
``score`` workers, and its progress (``--status``)."""

import getpass
import time
from datetime import datetime
from typing import Annotated

import typer


def rescore(
    job: Annotated[
        int | None,
        typer.Argument(
            help="A job's id: queue its chunks not yet done again (resume it), or with "
            "--status show its progress.",
            show_default=False,
            min=1,
            max=2**63 - 1,  # ids are BIGINT
        ),
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="First day (the center's), by call start."),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Last day (the center's), included."),
    ] = None,
    team: Annotated[str | None, typer.Option(help="One team's calls only.")] = None,
    pack_version: Annotated[
        str | None,
        typer.Option(help="Only calls scored with this (older) pack version."),
    ] = None,
    status: Annotated[
        bool, typer.Option("--status", help="Show progress (of JOB, else the newest jobs).")
    ] = False,
    chunk_size: Annotated[int, typer.Option(min=1, max=100_000, help="Calls per task.")] = 1000,
    wait: Annotated[bool, typer.Option("--wait", help="Follow progress until done.")] = False,
) -> None:
    """Re-scores transcribed calls not yet scored with the current version of their pack.

    Without JOB, makes a job of the calls the selectors choose (all calls without any) and
    queues it in chunks; with JOB, resumes that job. Calls scored with the current version are
    never scored again, so running it twice does nothing the second time.
    """
    from services import pipeline
    from services.config import get_settings
    from services.db import session_scope
    from services.errors import InvalidInput
    from services.i18n import _
    from services.scoring.rescore import selection
    from services.scoring.rescore import service as rescore_service

    chosen = selection.Selection(
        since.date() if since else None,
        until.date() if until else None,
        team,
        pack_version,
    )
    narrowed = chosen != selection.Selection()
    if status:
        if narrowed:
            raise InvalidInput(_("--status shows jobs; it takes no selectors"))
        _show(job)
        return
    with session_scope() as db_session:
        if job is None:
            made = rescore_service.create_job(
                db_session=db_session,
                chosen=chosen,
                rules_dir=get_settings().rules_dir,
                created_by=f"cli:{getpass.getuser()}",
                chunk_size=chunk_size,
            )
        elif narrowed:
            raise InvalidInput(_("a job keeps its own selectors: give a job or selectors"))
        else:
            made = rescore_service.get_or_raise(db_session=db_session, job_id=job)
        job_id, total = made.id, made.total
        chunks = rescore_service.pending_chunks(db_session=db_session, job_id=job_id)
    typer.echo(
        _(
            "re-scoring job {job}: {total} calls, {chunks} chunks to queue",
            job=job_id,
            total=total,
            chunks=len(chunks),
        )
    )
    if not pipeline.enqueue_rescore(chunks):
        raise InvalidInput(
            _(
                "the broker is unreachable: run `zhijian rescore {job}` to queue the job again",
                job=job_id,
            )
        )
    if wait:
        _follow(job_id)


def _show(job: int | None) -> None:
    """Prints one job's progress, or the newest jobs'."""
    from services.db import session_scope
    from services.scoring.rescore import service as rescore_service

    with session_scope() as db_session:
        if job is not None:
            jobs = [rescore_service.get_or_raise(db_session=db_session, job_id=job)]
        else:
            jobs = rescore_service.recent(db_session=db_session)
        for found in jobs:
            typer.echo(_progress(found))


def _follow(job_id: int, every_s: float = 5.0) -> None:
    """Prints the job's progress every few seconds until it is done."""
    from services.db import session_scope
    from services.scoring.rescore import service as rescore_service
    from services.scoring.rescore.service import JobState

    while True:
        with session_scope() as db_session:
            found = rescore_service.get_or_raise(db_session=db_session, job_id=job_id)
            typer.echo(_progress(found))
            if found.state == JobState.DONE:
                return
        time.sleep(every_s)


def _progress(job: object) -> str:
    """One line: the job's state, counts, chunks, pace and selectors."""
    from services.i18n import _
    from services.scoring.rescore import service as rescore_service
    from services.scoring.rescore.service import RescoreJob

    assert isinstance(job, RescoreJob)
    pace = rescore_service.rate(job)
    selectors = ", ".join(
        f"{name} {value}"
        for name, value in (
            ("--since", job.since),
            ("--until", job.until),
            ("--team", job.team),
            ("--pack-version", job.pack_version),
        )
        if value is not None
    )
    line = _(
        "job {job} ({state}): {processed} of {total} calls (scored {done}, skipped {skipped}, "
        "failed {failed}), chunks {chunks_done}/{chunks}, {pace} calls/s",
        job=job.id,
        state=job.state,
        processed=job.done + job.skipped + job.failed,
        total=job.total,
        done=job.done,
        skipped=job.skipped,
        failed=job.failed,
        chunks_done=job.chunks_done,
        chunks=job.chunks,
        pace=f"{pace:.0f}" if pace is not None else "-",
    )
    if selectors:
        line += f"; {selectors}"
    if job.last_error:
        line += "\n  " + _("last error: {error}", error=job.last_error.splitlines()[0])
    return line
