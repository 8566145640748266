"""The worker processes alive: each reports itself here while it runs."""

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UtcDateTime, utcnow


class WorkerBeat(Base):
    """One running worker process: its name, the queues it serves, when it last reported."""

    __tablename__ = "worker_beats"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)  # celery@host.pid
    queues: Mapped[str] = mapped_column(String(255))  # comma-separated
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
