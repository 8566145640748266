"""Rollups the reports read instead of every call: one row per day (in the center's time zone),
agent and team; one per day, agent, team and rule; and the latter summed by calendar month, so a
quarter's training needs read 90 times fewer rows than its days."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, BigId, JSONType, UtcDateTime, utcnow


class AgentDay(Base):
    """An agent's scored calls of one day: how many, flagged, and their QA scores' sums."""

    __tablename__ = "report_agent_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(255), primary_key=True)  # '' when unknown
    team: Mapped[str] = mapped_column(String(255), primary_key=True)  # '' when unknown
    calls: Mapped[int] = mapped_column(Integer)
    flagged: Mapped[int] = mapped_column(Integer)
    violating: Mapped[int] = mapped_column(Integer)  # calls with at least one violation
    scored: Mapped[int] = mapped_column(Integer)  # calls with a percent score
    score_sum: Mapped[float] = mapped_column(Float)
    score_sq_sum: Mapped[float] = mapped_column(Float)
    # The score distribution: calls whose percent lies in [10·i, 10·(i+1)) %, 100 in the last
    # (rollup.BINS); the team report's histogram sums these instead of reading every score.
    score_bin_0: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_bin_1: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_bin_2: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_bin_3: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_bin_4: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_bin_5: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_bin_6: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_bin_7: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_bin_8: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_bin_9: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RuleDay(Base):
    """One rule on an agent's calls of one day: opportunities (calls it was measured on) and
    violations (calls that violated it, once per call)."""

    __tablename__ = "report_rule_days"
    # An agent's days of one month: the tenure report reads them where the agent's band changes.
    __table_args__ = (Index("ix_report_rule_days_agent_day", "agent_id", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    team: Mapped[str] = mapped_column(String(255), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    opportunities: Mapped[int] = mapped_column(Integer)
    violations: Mapped[int] = mapped_column(Integer)


class RuleMonth(Base):
    """RuleDay summed over a calendar month (``month``: its first day), recomputed from the days
    whenever one of them is: reports read whole months here and only the days around them."""

    __tablename__ = "report_rule_months"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    team: Mapped[str] = mapped_column(String(255), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    opportunities: Mapped[int] = mapped_column(Integer)
    violations: Mapped[int] = mapped_column(Integer)


class RollupMark(Base):
    """How far the rollups are: every score with an id up to ``score_id`` is folded in."""

    __tablename__ = "report_rollup_mark"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    score_id: Mapped[int] = mapped_column(BigInteger)


class Coaching(Base):
    """A coaching or training session: which agents, for which rules (none: all), on which day
    (the center's), recorded by whom; the coaching-effect report compares before and after."""

    __tablename__ = "coachings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    coached_on: Mapped[date] = mapped_column(Date, index=True)
    agent_ids: Mapped[list[str]] = mapped_column(JSONType)
    rule_ids: Mapped[list[str]] = mapped_column(JSONType)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
