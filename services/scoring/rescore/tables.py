"""Bulk re-scoring jobs: what a job selects, its progress, and its chunks of calls."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, BigId, JSONType, UtcDateTime, utcnow


class JobState:
    """A job is ``queued`` until its first chunk ends, then ``running`` until its last."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class RescoreJob(Base):
    """One ``zhijian rescore``: the calls it selected, counted when it was made, and progress."""

    __tablename__ = "rescore_jobs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED)
    # The selectors (None: not restricted); days are the center's.
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    team: Mapped[str | None] = mapped_column(String(255))
    pack_version: Mapped[str | None] = mapped_column(String(32))  # calls scored with this one
    # {pack: version} the job scores with: the packs loaded when it was made.
    versions: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)  # scored
    # Selected, but scored with the current version by the time their chunk ran (or no longer
    # scorable): nothing to do.
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    chunks_done: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RescoreChunk(Base):
    """Up to a chunk's size of a job's calls, by id range; done once, in one transaction."""

    __tablename__ = "rescore_chunks"
    __table_args__ = (UniqueConstraint("job_id", "seq", name="uq_rescore_chunks_job_seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("rescore_jobs.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    first_id: Mapped[int] = mapped_column(BigInteger)
    last_id: Mapped[int] = mapped_column(BigInteger)
    size: Mapped[int] = mapped_column(Integer)  # the calls selected in the range
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # None: still to do
