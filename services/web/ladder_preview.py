"""What submitting a review would do on the agent's discipline ladder: the draft's lost items
placed after the agent's violations so far, the way the ladder will place them once released."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.calls.service import Call
from services.db import aware
from services.qa.discipline import ladder
from services.qa.discipline import service as discipline
from services.qa.evaluations import content

NOT_YET_WRITTEN = 2**62  # sorts the draft's violations after every stored evaluation's


@dataclass(frozen=True)
class Step:
    """One lost item and the ladder step it would reach."""

    item: str
    counted_as: str
    prior: int
    tier: str
    points: float
    amount: float


def preview(
    *, db_session: Session, call: Call, review_id: int, items: list[content.Item]
) -> list[Step]:
    """The ladder steps the draft's lost items would reach (none for a call without an agent)."""
    if not call.agent_id:
        return []
    occurred = aware(call.started_at or call.created_at)
    drafted = [
        ladder.Violation(
            evaluation_id=NOT_YET_WRITTEN,
            review_id=review_id,
            call_id=call.id,
            item_id=item["id"],
            rule_id=item["rule"],
            category=item["category"],
            occurred_at=occurred,
            critical=bool(item["auto_fail"]),
        )
        for item in content.violations(items)
    ]
    earlier = [
        v
        for v in discipline.violations(db_session=db_session, agent_id=call.agent_id)
        if v.review_id != review_id
    ]
    names = {item["id"]: item["name"] for item in items}
    return [
        Step(
            names[p.violation.item_id],
            p.counted_as,
            p.prior,
            p.step.tier,
            p.step.points,
            p.step.amount,
        )
        for p in ladder.place(discipline.config(), earlier + drafted)
        if p.violation.evaluation_id == NOT_YET_WRITTEN
    ]
