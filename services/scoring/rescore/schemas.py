"""Bulk re-scoring jobs in and out of the API."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.types import NO_CONTROL, InputDate, Strict, UtcDatetime


class RescoreJobIn(Strict):
    """Which calls to re-score: transcribed calls without a score under the current version of
    their pack, narrowed by these (all optional; none: every such call)."""

    since: InputDate | None = Field(
        None, description="First day on the center's clock, by call start."
    )
    until: InputDate | None = Field(None, description="Last day on the center's clock, included.")
    team: str | None = Field(
        None, max_length=255, pattern=NO_CONTROL, description="One team's calls."
    )
    pack_version: str | None = Field(
        None,
        max_length=32,
        pattern=NO_CONTROL,
        description="Only calls scored with this older pack version.",
    )
    chunk_size: int = Field(1000, ge=1, le=100_000, description="Calls per task.")


class RescoreJobOut(BaseModel):
    """A job, its selectors and its progress."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    state: str
    since: date | None
    until: date | None
    team: str | None
    pack_version: str | None
    versions: dict[str, str]
    total: int
    done: int
    skipped: int
    failed: int
    chunks: int
    chunks_done: int
    last_error: str | None
    created_by: str
    created_at: UtcDatetime
    finished_at: UtcDatetime | None


class RescoreJobAccepted(RescoreJobOut):
    """A job made or resumed, and whether its chunks were queued."""

    queued: bool = Field(
        description="False: the broker was unreachable; the job is kept, and POST "
        "/api/v1/rescore-jobs/{id}/resume queues its chunks later."
    )
