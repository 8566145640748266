"""HTTP endpoints for bulk re-scoring jobs (QA managers and admins)."""

from fastapi import APIRouter, status

from services import pipeline
from services.api.auth import Managers
from services.api.params import DbSession, Id
from services.config import get_settings
from services.scoring.rescore import service
from services.scoring.rescore.schemas import RescoreJobAccepted, RescoreJobIn, RescoreJobOut
from services.scoring.rescore.selection import Selection

router = APIRouter(prefix="/api/v1/rescore-jobs", tags=["rules"])


@router.post("", response_model=RescoreJobAccepted, status_code=status.HTTP_202_ACCEPTED)
def create(body: RescoreJobIn, db_session: DbSession, principal: Managers) -> RescoreJobAccepted:
    """Makes a re-scoring job of the calls the selectors choose and queues its chunks."""
    job = service.create_job(
        db_session=db_session,
        chosen=Selection(body.since, body.until, body.team, body.pack_version),
        rules_dir=get_settings().rules_dir,
        created_by=principal.username,
        chunk_size=body.chunk_size,
    )
    chunks = service.pending_chunks(db_session=db_session, job_id=job.id)
    out = RescoreJobOut.model_validate(job).model_dump()
    db_session.commit()  # the chunks exist before a worker looks for them
    return RescoreJobAccepted(**out, queued=pipeline.enqueue_rescore(chunks))


@router.post("/{job_id}/resume", response_model=RescoreJobAccepted, status_code=202)
def resume(job_id: Id, db_session: DbSession, _principal: Managers) -> RescoreJobAccepted:
    """Queues the job's chunks not yet done again (after lost tasks or a broker outage)."""
    job = service.get_or_raise(db_session=db_session, job_id=job_id)
    chunks = service.pending_chunks(db_session=db_session, job_id=job_id)
    out = RescoreJobOut.model_validate(job).model_dump()
    return RescoreJobAccepted(**out, queued=pipeline.enqueue_rescore(chunks))


@router.get("", response_model=list[RescoreJobOut])
def recent(db_session: DbSession, _principal: Managers) -> list[RescoreJobOut]:
    """The newest jobs (ten), newest first, with their progress."""
    return [RescoreJobOut.model_validate(j) for j in service.recent(db_session=db_session)]


@router.get("/{job_id}", response_model=RescoreJobOut)
def get(job_id: Id, db_session: DbSession, _principal: Managers) -> RescoreJobOut:
    """One job's selectors and progress."""
    return RescoreJobOut.model_validate(service.get_or_raise(db_session=db_session, job_id=job_id))
