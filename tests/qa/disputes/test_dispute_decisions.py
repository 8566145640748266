"""Dispute decisions through the service itself (no HTTP in between): who sees a dispute, until
when and how often an item may be disputed, who decides, and what each decision changes.
Quick enough to run once per mutant of ``services/qa/disputes/service.py``."""

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from services.db import aware, session_scope
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.i18n import readable
from services.people import service as people_service
from services.people.service import Principal
from services.qa.disputes import service as disputes
from services.qa.disputes.tables import Dispute, DisputeStatus
from services.qa.evaluations import content
from services.qa.evaluations import service as evaluations
from services.qa.evaluations.tables import Evaluation
from tests.floor import Floor


def _as(db_session: Any, floor: Floor, person: str) -> Principal:
    user = people_service.get_by_username_or_raise(
        db_session=db_session, username=getattr(floor, f"{person}_name")
    )
    return people_service.principal(db_session=db_session, user_id=user.id, via="token")


def _open(
    db_session: Any,
    floor: Floor,
    row: Evaluation,
    item_id: str = "forbidden",
    *,
    window_days: int = 7,
    per_evaluation: int = 5,
) -> Dispute:
    return disputes.open_dispute(
        db_session=db_session,
        row=row,
        principal=_as(db_session, floor, "agent"),
        item_id=item_id,
        reason="不同意",
        window_days=window_days,
        per_evaluation=per_evaluation,
    )


def _decide(
    db_session: Any, floor: Floor, dispute: Dispute, person: str, decision: str, **kw: Any
) -> Dispute:
    return disputes.decide(
        db_session=db_session,
        dispute=dispute,
        principal=_as(db_session, floor, person),
        decision=decision,
        comment="listened",
        earned=kw.get("earned"),
    )


def _seen_by(db_session: Any, floor: Floor, person: str, **filters: Any) -> set[int]:
    found = disputes.get_all(
        db_session=db_session, principal=_as(db_session, floor, person), **filters
    )
    return {d.id for d in found}


def test_a_dispute_is_seen_by_its_agent_their_lead_its_inspector_and_managers_only(floor):
    mine = floor.review("first")["id"]
    theirs = floor.review("lapse")["id"]  # the other agent's, same team
    with session_scope() as db_session:
        own = _open(db_session, floor, db_session.get(Evaluation, mine))
        other = disputes.open_dispute(
            db_session=db_session,
            row=db_session.get(Evaluation, theirs),
            principal=_as(db_session, floor, "other_agent"),
            item_id="forbidden",
            reason="没说",
            window_days=7,
            per_evaluation=5,
        )
        both = {own.id, other.id}
        for person in ("manager", "trainer", "lead", "inspector"):
            assert both <= _seen_by(db_session, floor, person), person
        # A lead who takes calls too (an agent id of their own) still sees the team's.
        lead = replace(_as(db_session, floor, "lead"), agent_id="LEAD-ON-CALLS")
        found = disputes.get_all(db_session=db_session, principal=lead)
        assert both <= {d.id for d in found}
        assert own.id in _seen_by(db_session, floor, "agent")
        assert other.id not in _seen_by(db_session, floor, "agent")
        assert own.id not in _seen_by(db_session, floor, "other_agent")
        assert not both & _seen_by(db_session, floor, "other_lead")
        assert not both & _seen_by(db_session, floor, "stranger")
        with pytest.raises(NotFound):
            disputes.get_or_raise(
                db_session=db_session,
                dispute_id=own.id,
                principal=_as(db_session, floor, "other_agent"),
            )
        found = disputes.get_or_raise(
            db_session=db_session, dispute_id=own.id, principal=_as(db_session, floor, "agent")
        )
        assert found.id == own.id


def test_the_list_filters_by_status_and_review(floor):
    evaluation = floor.review("first")
    with session_scope() as db_session:
        dispute = _open(db_session, floor, db_session.get(Evaluation, evaluation["id"]))
        review = evaluation["review_id"]
        assert dispute.id in _seen_by(db_session, floor, "manager", status="open")
        assert dispute.id not in _seen_by(db_session, floor, "manager", status="upheld")
        assert _seen_by(db_session, floor, "manager", review_id=review) == {dispute.id}
        assert not _seen_by(db_session, floor, "manager", review_id=review + 10_000)


def test_the_window_closes_the_given_days_after_release(floor):
    released = floor.review("first")["id"]
    draft = floor.review("second", release=False)["id"]
    with session_scope() as db_session:
        row = db_session.get(Evaluation, released)
        assert evaluations.dispute_deadline(row, 7) == aware(row.released_at) + timedelta(days=7)
        assert evaluations.dispute_deadline(db_session.get(Evaluation, draft), 7) is None
        with pytest.raises(Conflict, match="window closed"):
            _open(db_session, floor, row, window_days=0)
        assert _open(db_session, floor, row, window_days=1).item_id == "forbidden"


def test_only_the_released_version_in_force_may_be_disputed(floor):
    draft = floor.review("first", release=False)["id"]
    acknowledged = floor.review("second")["id"]
    assert floor.agent.post(f"/api/v1/evaluations/{acknowledged}/acknowledge").status_code == 200
    with session_scope() as db_session:
        with pytest.raises(Conflict, match="not the released version"):
            _open(db_session, floor, db_session.get(Evaluation, draft))
        with pytest.raises(Conflict, match="acknowledged"):
            _open(db_session, floor, db_session.get(Evaluation, acknowledged))
    released = floor.review("third")["id"]
    with session_scope() as db_session:
        old = db_session.get(Evaluation, released)
        dispute = _open(db_session, floor, old)
        _decide(db_session, floor, dispute, "lead", DisputeStatus.OVERTURNED)
        with pytest.raises(Conflict, match="not the released version"):
            _open(db_session, floor, db_session.get(Evaluation, released), "attitude")


def test_only_items_that_lost_points_each_once_and_up_to_the_limit(floor):
    released = floor.review("first")["id"]
    with session_scope() as db_session:
        row = db_session.get(Evaluation, released)
        with pytest.raises(InvalidInput, match="no item"):
            _open(db_session, floor, row, "nope")
        with pytest.raises(InvalidInput, match="nothing to dispute"):
            _open(db_session, floor, row, "solution")  # scored in full
        with pytest.raises(Forbidden):
            disputes.open_dispute(
                db_session=db_session,
                row=row,
                principal=_as(db_session, floor, "other_agent"),
                item_id="forbidden",
                reason="not mine",
                window_days=7,
                per_evaluation=5,
            )
        first = _open(db_session, floor, row, "forbidden", per_evaluation=1)  # the first of one
        assert (first.agent_id, first.team, first.status) == (floor.agent_id, floor.team, "open")
        with pytest.raises(Conflict, match="already disputed"):
            _open(db_session, floor, row, "forbidden")
        with pytest.raises(Conflict, match="at most 1 disputes"):
            _open(db_session, floor, row, "attitude", per_evaluation=1)
        second = _open(db_session, floor, row, "attitude", per_evaluation=2)
        assert second.item_id == "attitude"


@pytest.mark.parametrize(
    ("person", "may"),
    [
        ("lead", True),
        ("manager", True),
        ("other_lead", False),
        ("inspector", False),
        ("agent", False),
        ("trainer", False),
    ],
)
def test_the_agents_team_lead_or_a_qa_manager_decides(floor, person, may):
    released = floor.review("first")["id"]
    with session_scope() as db_session:
        dispute = _open(db_session, floor, db_session.get(Evaluation, released))
        if may:
            assert _decide(db_session, floor, dispute, person, "upheld").status == "upheld"
        else:
            with pytest.raises(Forbidden):
                _decide(db_session, floor, dispute, person, "upheld")
            assert db_session.get(Dispute, dispute.id).status == "open"


def test_upholding_keeps_the_evaluation_and_a_second_decision_is_refused(floor):
    released = floor.review("first")
    with session_scope() as db_session:
        dispute = _open(db_session, floor, db_session.get(Evaluation, released["id"]))
        decided = _decide(db_session, floor, dispute, "lead", DisputeStatus.UPHELD)
        assert (decided.status, decided.decided_by) == ("upheld", floor.lead_name)
        assert decided.result_evaluation_id is None and decided.decision_comment == "listened"
        current = evaluations.current(db_session=db_session, review_id=released["review_id"])
        assert current.id == released["id"] and current.total == released["total"]
        with pytest.raises(Conflict, match="already decided"):
            _decide(db_session, floor, dispute, "manager", DisputeStatus.OVERTURNED)
        assert db_session.get(Dispute, dispute.id).status == "upheld"


@pytest.mark.parametrize(("earned", "expected"), [(None, 10), (4, 4)])
def test_overturning_rescores_the_item_in_a_new_version(floor, earned, expected):
    released = floor.review("first")
    with session_scope() as db_session:
        dispute = _open(db_session, floor, db_session.get(Evaluation, released["id"]))
        decided = _decide(
            db_session, floor, dispute, "manager", DisputeStatus.OVERTURNED, earned=earned
        )
        current = evaluations.current(db_session=db_session, review_id=released["review_id"])
        assert decided.status == "overturned" and decided.result_evaluation_id == current.id
        assert current.version == 2 and current.id != released["id"]
        item = next(i for i in current.items if i["id"] == "forbidden")
        assert item["earned"] == expected
        assert current.total == released["total"] + expected


def test_a_new_version_carries_disputes_of_items_still_lost_and_closes_the_others(floor):
    released = floor.review("first")
    with session_scope() as db_session:
        row = db_session.get(Evaluation, released["id"])
        kept = _open(db_session, floor, row, "attitude")
        dropped = _open(db_session, floor, row, "forbidden")
        manager = _as(db_session, floor, "manager")
        items = content.apply_scores(
            row.items, {"forbidden": {"earned": 10, "comment": "re-heard"}}, by="manager"
        )
        fresh = evaluations.new_version(
            db_session=db_session, row=row, items=items, why="re-evaluation", by=manager
        )
        disputes.follow_new_version(db_session=db_session, fresh=fresh, by=manager)
        db_session.refresh(kept)
        db_session.refresh(dropped)
        assert (kept.status, kept.evaluation_id) == ("open", fresh.id)
        assert kept.result_evaluation_id is None
        assert (dropped.status, dropped.result_evaluation_id) == ("closed", fresh.id)
        assert dropped.decided_by == floor.manager_name and dropped.decided_at is not None
        assert "no longer deducts" in readable(dropped.decision_comment, "en")


def test_overturning_with_more_points_than_the_item_has_is_refused(floor):
    released = floor.review("first")
    with session_scope() as db_session:
        dispute = _open(db_session, floor, db_session.get(Evaluation, released["id"]))
        with pytest.raises(InvalidInput, match="scored 0 to 10"):
            _decide(db_session, floor, dispute, "manager", DisputeStatus.OVERTURNED, earned=11)


def test_overturning_without_points_gives_the_disputed_item_its_own_full_points(floor):
    # Greeting (10 points) is the scorecard's first item and self_id (5) the next: an item
    # found by the wrong id would give 5.
    released = floor.review("first")
    with session_scope() as db_session:
        row = db_session.get(Evaluation, released["id"])
        manager = _as(db_session, floor, "manager")
        items = content.apply_scores(
            row.items, {"greeting": {"earned": 4, "comment": "no greeting"}}, by="manager"
        )
        corrected = evaluations.new_version(
            db_session=db_session, row=row, items=items, why="correction", by=manager
        )
        dispute = _open(db_session, floor, corrected, "greeting")
        _decide(db_session, floor, dispute, "lead", DisputeStatus.OVERTURNED)
        current = evaluations.current(db_session=db_session, review_id=released["review_id"])
        greeting = next(i for i in current.items if i["id"] == "greeting")
        assert (greeting["earned"], greeting["status"]) == (10, "pass")
