"""The few reads the pages need that no domain service offers as such; the pages authorise
before they call these (or show only what every manager may see)."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.calls.service import Call
from services.people.service import Area, Role, User


def calls_by_id(*, db_session: Session, ids: Sequence[int]) -> dict[int, Call]:
    """Calls by id (those of reviews already authorised)."""
    if not ids:
        return {}
    return {c.id: c for c in db_session.scalars(select(Call).where(Call.id.in_(ids)))}


def all_areas(*, db_session: Session) -> list[Area]:
    """Every area, by name (a manager's page)."""
    return list(db_session.scalars(select(Area).order_by(Area.name)))


def team_agents(*, db_session: Session, team: str) -> list[User]:
    """The active agents of a team who have an agent id, by agent id."""
    return list(
        db_session.scalars(
            select(User)
            .where(
                User.team == team,
                User.role == Role.AGENT,
                User.active.is_(True),
                User.agent_id.is_not(None),
            )
            .order_by(User.agent_id)
        )
    )
