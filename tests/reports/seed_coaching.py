"""Two teams with exact weekly counts around a coaching week, for the coaching-effect report.

Each agent has 35 calls a week (5 a day at 10:00 in Shanghai) over 9 weeks: 4 before, the
coaching week (the 5th), 4 after. Rule R1's violations per week, before → after:

- team A: coached A0 10 → 5 and A1 20 → 13 (together 30 → 18, × 0.6); uncoached A2..A5
  10 → 9, 20 → 18, 10 → 8, 20 → 19 (60 → 54, × 0.9). Effect 0.6 / 0.9 − 1 = −1/3.
- team B: "coached" B0 10 → 9 and B1 20 → 18 (× 0.9) like their uncoached B2..B5: effect 0.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert

from services.calls.tables import Call
from services.scoring.tables import CallScore, RuleHit, RuleStatus
from tests.reports.seed import SHANGHAI

FIRST_MONDAY = date(2022, 3, 7)
RULE = "R1-greeting"
BEFORE_AFTER = [(10, 5), (20, 13), (10, 9), (20, 18), (10, 8), (20, 19)]
UNCHANGED = [(10, 9), (20, 18), (10, 9), (20, 18), (10, 8), (20, 19)]


@dataclass
class CoachedCenter:
    """The two teams, their agents and the coaching day (Wednesday of the fifth week)."""

    team_a: str
    team_b: str

    @property
    def coached_on(self) -> date:
        """The day of both coachings."""
        return FIRST_MONDAY + timedelta(weeks=4, days=2)

    @property
    def first(self) -> date:
        """The first day with calls."""
        return FIRST_MONDAY

    @property
    def last(self) -> date:
        """The last day with calls."""
        return FIRST_MONDAY + timedelta(weeks=9, days=-1)


def seed_coached_center(db_session) -> CoachedCenter:
    """Stores the calls, scores and R1 results of both teams and commits."""
    run = secrets.token_hex(3)
    center = CoachedCenter(f"{run}-A", f"{run}-B")
    calls, violated = [], []
    for team, plan in ((center.team_a, BEFORE_AFTER), (center.team_b, UNCHANGED)):
        for a, (before, after) in enumerate(plan):
            for week in range(9):
                count = after if week > 4 else before
                for k in range(35):
                    day = FIRST_MONDAY + timedelta(weeks=week, days=k // 5)
                    local = datetime.combine(day, time(10, k % 5), SHANGHAI)
                    calls.append(call_row(f"{team}{a}", team, local.astimezone(UTC)))
                    violated.append(k < count)
    ids = db_session.scalars(insert(Call).returning(Call.id), calls).all()
    db_session.execute(
        insert(CallScore),
        [score_row(call_id, hit) for call_id, hit in zip(ids, violated, strict=True)],
    )
    db_session.execute(
        insert(RuleStatus),
        [status_row(call_id, hit) for call_id, hit in zip(ids, violated, strict=True)],
    )
    hits = [hit_row(call_id) for call_id, hit in zip(ids, violated, strict=True) if hit]
    db_session.execute(insert(RuleHit), hits)
    db_session.commit()
    return center


def call_row(agent: str, team: str, started_at: datetime) -> dict:
    """A scored call of the agent."""
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


def score_row(call_id: int, hit: bool) -> dict:
    """The call's score: 50 % with a violation, else 100 %."""
    return {
        "call_id": call_id,
        "pack": "sim",
        "pack_version": "1",
        "total": 5 if hit else 10,
        "maximum": 10,
        "percent": 50 if hit else 100,
        "auto_failed": False,
        "flagged": hit,
        "reasons": [],
        "sections": [],
        "items": [],
    }


def status_row(call_id: int, hit: bool, rule: str = RULE) -> dict:
    """A rule result of the call's score: hit or pass."""
    return {
        "call_id": call_id,
        "pack": "sim",
        "pack_version": "1",
        "rule_id": rule,
        "category": "礼貌",
        "severity": "major",
        "status": "hit" if hit else "pass",
    }


def hit_row(call_id: int, rule: str = RULE) -> dict:
    """One hit of the rule, from 1 s to 3 s."""
    return {
        "call_id": call_id,
        "pack": "sim",
        "pack_version": "1",
        "rule_id": rule,
        "category": "礼貌",
        "severity": "major",
        "role": "agent",
        "start": 1.0,
        "end": 3.0,
        "turn_ids": [],
        "text": "",
    }
