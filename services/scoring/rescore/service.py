"""Bulk re-scoring jobs: made from a selection, split into chunks of calls by id range, each
chunk scored once in one transaction (a chunk done is never done again), progress on the job.

A job's chunks are queued as tasks (``pipeline.enqueue_rescore``); queueing the chunks not yet
done again resumes a job whose tasks were lost, and is harmless for chunks still queued.
"""

from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session

from services.calls.service import Call
from services.db import utcnow
from services.errors import NotFound
from services.i18n import _
from services.scoring import service as scoring_service
from services.scoring.rescore import bulk, selection
from services.scoring.rescore.tables import JobState, RescoreChunk, RescoreJob
from services.scoring.rules.pack import CompiledPack

CHUNK_SIZE = 1000
MAX_ERROR_CHARS = 2000


def loaded_packs(rules_dir: Path) -> list[CompiledPack]:
    """The valid packs, or NotFound when there is none to score with."""
    found = scoring_service.packs(rules_dir=rules_dir)
    if not found:
        raise NotFound(_("no valid rule pack in {rules_dir}", rules_dir=rules_dir))
    return found


def create_job(
    *,
    db_session: Session,
    chosen: selection.Selection,
    rules_dir: Path,
    created_by: str,
    chunk_size: int = CHUNK_SIZE,
) -> RescoreJob:
    """Checks the selectors, counts the calls they select and splits them into chunks of
    ``chunk_size`` consecutive calls (by id). A job that selects nothing is done at once."""
    packs = loaded_packs(rules_dir)
    selection.check(db_session=db_session, selection=chosen, packs=packs)
    job = RescoreJob(
        **asdict(chosen),
        versions={p.id: p.version for p in packs},
        created_by=created_by,
    )
    db_session.add(job)
    db_session.flush()
    numbered = (
        select(
            Call.id,
            ((func.row_number().over(order_by=Call.id) - 1) // chunk_size).label("seq"),
        )
        .where(*selection.conditions(chosen, packs))
        .subquery()
    )
    plan = db_session.execute(
        select(numbered.c.seq, func.min(numbered.c.id), func.max(numbered.c.id), func.count())
        .group_by(numbered.c.seq)
        .order_by(numbered.c.seq)
    ).all()
    if plan:
        db_session.execute(
            insert(RescoreChunk),
            [
                {"job_id": job.id, "seq": seq, "first_id": first, "last_id": last, "size": size}
                for seq, first, last, size in plan
            ],
        )
    job.total = sum(size for *_, size in plan)
    job.chunks = len(plan)
    if not plan:
        job.state, job.finished_at = JobState.DONE, utcnow()
    db_session.flush()
    return job


def pending_chunks(*, db_session: Session, job_id: int) -> list[int]:
    """The ids of the job's chunks not yet done, in order."""
    return list(
        db_session.scalars(
            select(RescoreChunk.id)
            .where(RescoreChunk.job_id == job_id, RescoreChunk.done_at.is_(None))
            .order_by(RescoreChunk.seq)
        )
    )


def run_chunk(*, db_session: Session, chunk_id: int, rules_dir: Path) -> bulk.Counts | None:
    """Scores a chunk's calls and adds them to the job's progress, in the caller's transaction;
    None (nothing done) if the chunk is done already or gone with its job."""
    # Locked: a chunk delivered twice at once is scored by one delivery, then found done.
    chunk = db_session.scalars(
        select(RescoreChunk).where(RescoreChunk.id == chunk_id).with_for_update()
    ).one_or_none()
    if chunk is None or chunk.done_at is not None:
        return None
    job = db_session.get(RescoreJob, chunk.job_id)
    assert job is not None  # the chunk's foreign key
    packs = loaded_packs(rules_dir)
    chosen = selection.Selection(job.since, job.until, job.team, job.pack_version)
    call_ids = list(
        db_session.scalars(
            select(Call.id)
            .where(Call.id.between(chunk.first_id, chunk.last_id))
            .where(*selection.conditions(chosen, packs))
            .order_by(Call.id)
        )
    )
    counts = bulk.score_calls(db_session=db_session, call_ids=call_ids, packs=packs)
    # Calls of the chunk that no longer match (scored meanwhile with the current version) are
    # skipped too, so that a finished job's counts add up to its total.
    counts.skipped += max(0, chunk.size - counts.done - counts.skipped - counts.failed)
    now = utcnow()
    chunk.done_at = now
    error = "\n".join(counts.errors)[:MAX_ERROR_CHARS] or None
    db_session.execute(
        update(RescoreJob)
        .where(RescoreJob.id == job.id)
        .values(
            done=RescoreJob.done + counts.done,
            skipped=RescoreJob.skipped + counts.skipped,
            failed=RescoreJob.failed + counts.failed,
            chunks_done=RescoreJob.chunks_done + 1,
            state=case(
                (RescoreJob.chunks_done + 1 >= RescoreJob.chunks, JobState.DONE),
                else_=JobState.RUNNING,
            ),
            finished_at=case((RescoreJob.chunks_done + 1 >= RescoreJob.chunks, now), else_=None),
            last_error=func.coalesce(error, RescoreJob.last_error),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db_session.flush()
    return counts


def get_or_raise(*, db_session: Session, job_id: int) -> RescoreJob:
    """A job by id, or NotFound."""
    job = db_session.get(RescoreJob, job_id)
    if job is None:
        raise NotFound(_("re-scoring job {job_id} does not exist", job_id=job_id))
    return job


def recent(*, db_session: Session, limit: int = 10) -> list[RescoreJob]:
    """The newest jobs first."""
    return list(db_session.scalars(select(RescoreJob).order_by(RescoreJob.id.desc()).limit(limit)))


def rate(job: RescoreJob, *, now: datetime | None = None) -> float | None:
    """Calls a second the job went through so far (None before its first chunk)."""
    end = job.finished_at or now or utcnow()
    seconds = (end - job.created_at).total_seconds()
    processed = job.done + job.skipped + job.failed
    return processed / seconds if processed and seconds > 0 else None
