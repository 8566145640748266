"""A simulated center stored as scored calls (calls, scores, rule results, hits), with planted
effects, for the report tests over the database."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import insert
from sqlalchemy.orm import Session

from services.calls.tables import Call
from services.scoring.tables import CallScore, RuleHit, RuleStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = TypeVar("T")


def folded(seed: Callable[[Session], T]) -> T:
    """What ``seed`` stores, committed in a unit of work of its own and folded into the
    rollups as the workers' periodic task would (a request leaves a backlog to them)."""
    from services.db import session_scope
    from services.reports import rollup

    with session_scope() as db_session:
        made = seed(db_session)
        rollup.catch_up(db_session)
    return made


RULES = {"R1-greeting": ("礼貌", 0.10), "R2-verify": ("合规", 0.08)}
FIRST_MONDAY = date(2023, 1, 2)
WEEKS = 12


@dataclass
class Center:
    """What was planted, for the assertions."""

    run: str
    teams: list[str]
    weak_agent: str
    bad_team: str
    bad_week: int
    new_hires: list[str] = field(default_factory=list)
    call_ids: list[int] = field(default_factory=list)

    @property
    def first(self) -> date:
        """The first day of the simulated period."""
        return FIRST_MONDAY

    @property
    def last(self) -> date:
        """The last day of the simulated period."""
        return FIRST_MONDAY + timedelta(weeks=WEEKS, days=-1)


def seed_center(db_session, *, seed: int = 16, calls_per_day: int = 3) -> Center:
    """Three teams of four agents over twelve weeks; agent 0 of the first team violates R1 four
    times as often, the second team has one bad week (every rule × 4), the new hires of the
    third team violate R2 three times as often."""
    rng = np.random.default_rng(seed)
    run = secrets.token_hex(3)
    teams = [f"{run}-T{t}" for t in range(3)]
    center = Center(run, teams, f"{teams[0]}-A0", teams[1], bad_week=7)
    calls, outcomes = [], []
    for t, team in enumerate(teams):
        for a in range(4):
            agent = f"{team}-A{a}"
            new_hire = t == 2 and a < 2
            if new_hire:
                center.new_hires.append(agent)
            for d in range(WEEKS * 7):
                day = FIRST_MONDAY + timedelta(days=d)
                for k in range(calls_per_day):
                    # 07:30 in Shanghai is the previous day in UTC: days follow the center.
                    local = datetime.combine(day, time((7, 13, 23)[k % 3], 30), SHANGHAI)
                    calls.append(_call(agent, team, local.astimezone(UTC)))
                    hits = {}
                    for rule, (_category, rate) in RULES.items():
                        if agent == center.weak_agent and rule == "R1-greeting":
                            rate *= 4
                        if new_hire and rule == "R2-verify":
                            rate *= 3
                        if team == center.bad_team and d // 7 == center.bad_week:
                            rate *= 4
                        hits[rule] = bool(rng.random() < rate)
                    outcomes.append(hits)
    ids = db_session.scalars(insert(Call).returning(Call.id), calls).all()
    center.call_ids = list(ids)
    _score(db_session, list(ids), outcomes)
    db_session.commit()
    return center


def _call(agent: str, team: str, started_at: datetime) -> dict:
    return {
        "bucket": "recordings",
        "object_key": f"sim/{secrets.token_hex(8)}.wav",
        "object_version": "v",
        "source": "upload",
        "agent_id": agent,
        "team": team,
        "status": "scored",
        "started_at": started_at,
        "extra": {},
    }


def _score(db_session, ids: list[int], outcomes: list[dict[str, bool]]) -> None:
    scores, statuses, hits = [], [], []
    for call_id, result in zip(ids, outcomes, strict=True):
        bad = sum(result.values())
        scores.append(
            {
                "call_id": call_id,
                "pack": "sim",
                "pack_version": "1",
                "total": 10 - 5 * bad,
                "maximum": 10,
                "percent": 100 - 50 * bad,
                "auto_failed": False,
                "flagged": bad > 0,
                "reasons": [],
                "sections": [],
                "items": [],
            }
        )
        for rule, hit in result.items():
            category = RULES[rule][0]
            statuses.append(
                {
                    "call_id": call_id,
                    "pack": "sim",
                    "pack_version": "1",
                    "rule_id": rule,
                    "category": category,
                    "severity": "major",
                    "status": "hit" if hit else "pass",
                }
            )
            if hit:
                # Two hits of one rule on one call are one violation.
                for start in (1.0, 5.0):
                    hits.append(
                        {
                            "call_id": call_id,
                            "pack": "sim",
                            "pack_version": "1",
                            "rule_id": rule,
                            "category": category,
                            "severity": "major",
                            "role": "agent",
                            "start": start,
                            "end": start + 2,
                            "turn_ids": [],
                            "text": "",
                        }
                    )
    db_session.execute(insert(CallScore), scores)
    db_session.execute(insert(RuleStatus), statuses)
    db_session.execute(insert(RuleHit), hits)
