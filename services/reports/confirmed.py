"""Training needs counted on inspectors' verdicts: confirmed hits only, and each rule's
reviewed precision (how often inspectors confirmed its hits) to mark rules not to trust.

Read-only SQL over the QA tables (reviews, hit_verdicts): reports sit below qa in the layers.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from services.config import get_settings
from services.reports import rollup
from services.reports.rates import GroupCount, TrainingNeed, rank_training_needs
from services.reports.service import HIRED, NEW_HIRE, NO_HIRE_DATE, TENURED, Filter

LOW_PRECISION = 0.7  # fewer than 7 of 10 hits confirmed: the rule's rate says little
MIN_VERDICTS = 5  # fewer verdicts than this say nothing about a rule's precision

# Group expressions over calls c and hire dates u (HIRED joined on c's agent).
DAY = "(c.started_at AT TIME ZONE :tz)::date"
DIMENSIONS = {
    "agent": "coalesce(c.agent_id, '')",
    "team": "coalesce(c.team, '')",
    "tenure": (
        f"CASE WHEN u.hired_on IS NULL THEN '{NO_HIRE_DATE}' "
        f"WHEN {DAY} < u.hired_on + interval '3 months' THEN '{NEW_HIRE}' ELSE '{TENURED}' END"
    ),
}
CONFIRMED = """EXISTS (SELECT 1 FROM hit_verdicts v
    WHERE v.call_id = r.call_id AND v.rule_id = r.rule_id AND v.confirmed)"""


@dataclass(frozen=True)
class RulePrecision:
    """Inspectors' verdicts on a rule's hits: confirmed of reviewed, and whether that is low."""

    confirmed: int
    reviewed: int
    precision: float | None
    low: bool


def rule_precision(db_session: Session, rules: set[str]) -> dict[str, RulePrecision]:
    """Each rule's reviewed precision over every verdict (as ``GET /rules/{id}/precision``);
    low when at least MIN_VERDICTS verdicts confirm fewer than LOW_PRECISION of its hits."""
    if not rules:
        return {}
    rows = db_session.execute(
        text(
            "SELECT rule_id, count(*) FILTER (WHERE confirmed), count(*) FROM hit_verdicts "
            "WHERE rule_id IN :rules GROUP BY rule_id"
        ).bindparams(bindparam("rules", expanding=True)),
        {"rules": sorted(rules)},
    ).all()
    found = {rule: (int(c), int(n)) for rule, c, n in rows}
    out = {}
    for rule in rules:
        confirmed, reviewed = found.get(rule, (0, 0))
        share = confirmed / reviewed if reviewed else None
        low = share is not None and reviewed >= MIN_VERDICTS and share < LOW_PRECISION
        out[rule] = RulePrecision(confirmed, reviewed, share, low)
    return out


def confirmed_training_needs(
    db_session: Session, scope: Filter, *, dimension: str
) -> list[TrainingNeed]:
    """Training needs over the reviewed calls only: a violation is a rule whose hit an
    inspector confirmed, an opportunity a reviewed call the rule was measured on; the baseline
    is the whole center's reviewed calls."""
    params: dict[str, Any] = {"tz": get_settings().center_timezone}
    lo, hi = rollup.day_bounds(scope.first, scope.last)
    params.update(lo=lo, hi=hi)
    narrow = ""
    if scope.team is not None:
        narrow += " AND c.team = :team"
        params["team"] = scope.team
    if scope.agent_id is not None:
        narrow += " AND c.agent_id = :agent_id"
        params["agent_id"] = scope.agent_id
    groups = [
        GroupCount(rule, dimension, group, int(v), int(n))
        for rule, group, v, n in _counts(db_session, DIMENSIONS[dimension], narrow, params)
        if n
    ]
    center_rows = _counts(db_session, "''", "", params)
    center = {rule: (int(v), int(n)) for rule, _g, v, n in center_rows if n}
    return rank_training_needs(groups=groups, center=center)


def _counts(db_session: Session, group: str, narrow: str, params: dict[str, Any]) -> list[Any]:
    hired = HIRED.replace("r.agent_id", "c.agent_id")
    return list(
        db_session.execute(
            text(
                f"WITH current AS ({rollup.current_scores(narrow)}) "  # noqa: S608 - fixed fragments
                f"SELECT r.rule_id, {group}, count(*) FILTER (WHERE {CONFIRMED}), count(*) "
                "FROM current cur JOIN calls c ON c.id = cur.call_id "
                f"JOIN rule_results r ON {rollup.MEASURED} {hired} "
                "WHERE EXISTS (SELECT 1 FROM reviews rv WHERE rv.call_id = cur.call_id "
                "AND rv.submitted_at IS NOT NULL) GROUP BY 1, 2"
            ),
            {k: v for k, v in params.items() if k != "tz" or "AT TIME ZONE" in group},
        ).all()
    )
