"""One unit of work per request: an action, its audit record, its notifications and the ladder
rebuild are committed together, once, or not at all."""

import secrets

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from services.db import get_engine, session_scope
from services.notifications.tables import Notification
from services.qa.discipline.tables import DisciplineRecord
from services.qa.evaluations.tables import Evaluation


def _state(evaluation_id: int, agent_id: str) -> tuple[object, ...]:
    """What releasing an evaluation changes: the evaluation, notifications, the ladder."""
    with session_scope() as db_session:
        released = db_session.get(Evaluation, evaluation_id).released_at
        notes = db_session.scalars(select(Notification.id).order_by(Notification.id)).all()
        ladder = db_session.scalars(
            select(DisciplineRecord.id).where(DisciplineRecord.agent_id == agent_id)
        ).all()
    return released, notes, ladder


def test_an_action_whose_audit_record_fails_leaves_nothing_changed(floor):
    evaluation = floor.review("first", release=False)
    tag = secrets.token_hex(4)
    before = _state(evaluation["id"], floor.agent_id)
    # The database itself refuses this one audit record, as a full disk or a broken
    # connection would: a trigger installed for the test, removed after it.
    refuse = f"""
        CREATE FUNCTION refuse_audit_{tag}() RETURNS trigger AS $$
        BEGIN
            IF NEW.action = 'evaluation.released'
               AND NEW.detail->>'evaluation_id' = '{evaluation["id"]}' THEN
                RAISE EXCEPTION 'the audit log cannot be written';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql;
        CREATE TRIGGER refuse_audit_{tag} BEFORE INSERT ON audit_log
            FOR EACH ROW EXECUTE FUNCTION refuse_audit_{tag}();
    """
    with session_scope() as db_session:
        db_session.execute(text(refuse))
    try:
        with pytest.raises(DBAPIError, match="the audit log cannot be written"):
            floor.inspector.post(f"/api/v1/evaluations/{evaluation['id']}/release")
        after = _state(evaluation["id"], floor.agent_id)
    finally:
        with session_scope() as db_session:
            db_session.execute(text(f"DROP TRIGGER refuse_audit_{tag} ON audit_log"))
            db_session.execute(text(f"DROP FUNCTION refuse_audit_{tag}()"))

    assert after == before  # not released, nobody told, the ladder as it was
    released = floor.inspector.post(f"/api/v1/evaluations/{evaluation['id']}/release")
    assert released.status_code == 200 and released.json()["released_at"]
    assert _state(evaluation["id"], floor.agent_id) != before


def test_an_overturned_dispute_is_one_commit_and_rebuilds_the_ladder_once(floor):
    evaluation = floor.review("second")
    opened = floor.agent.post(
        f"/api/v1/evaluations/{evaluation['id']}/disputes",
        json={"item_id": "forbidden", "reason": "the phrase was cut short"},
    )
    assert opened.status_code == 201, opened.text
    commits, rebuilds = [], []

    def on_commit(session: Session) -> None:
        commits.append(session)

    def on_statement(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("DELETE FROM discipline_records"):
            rebuilds.append(statement)

    engine = get_engine()
    event.listen(Session, "after_commit", on_commit)
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        decided = floor.lead.post(
            f"/api/v1/disputes/{opened.json()['id']}/decision",
            json={"decision": "overturned", "comment": "Listened: cut by ASR."},
        )
    finally:
        event.remove(Session, "after_commit", on_commit)
        event.remove(engine, "before_cursor_execute", on_statement)

    assert decided.status_code == 200, decided.text
    assert decided.json()["result_evaluation_id"] is not None
    assert len(commits) == 1
    assert len(rebuilds) == 1
