"""The names people read beside the ids the API shows: a user's display name (else username),
an agent id's agent. Looked up once per session and id."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.people.tables import Role, User

_CACHE = "zhijian.names"


def _cache(db_session: Session) -> dict[tuple[str, object], str | None]:
    cache: dict[tuple[str, object], str | None] = db_session.info.setdefault(_CACHE, {})
    return cache


def _shown(user: User | None) -> str | None:
    return (user.display_name or user.username) if user is not None else None


def user_name(db_session: Session | None, user_id: int | None) -> str | None:
    """The display name (else username) of a user id."""
    if db_session is None or user_id is None:
        return None
    cache = _cache(db_session)
    if ("user", user_id) not in cache:
        cache["user", user_id] = _shown(db_session.get(User, user_id))
    return cache["user", user_id]


def preload(
    db_session: Session, *, user_ids: set[int] | None = None, agent_ids: set[str] | None = None
) -> None:
    """Looks up the names a list will show in one query each, not one per row (a manager's
    queue of 100 reviews by 20 inspectors took 20 queries, benchmarks/api.py)."""
    cache = _cache(db_session)
    users = {i for i in user_ids or () if ("user", i) not in cache}
    if users:
        found = {u.id: u for u in db_session.scalars(select(User).where(User.id.in_(users)))}
        for user_id in users:
            cache["user", user_id] = _shown(found.get(user_id))
    agents = {a for a in agent_ids or () if a and ("agent", a) not in cache}
    if agents:
        rows = db_session.scalars(
            select(User)
            .where(User.agent_id.in_(agents), User.role == Role.AGENT)
            .order_by(User.active.desc(), User.id)
        )
        for user in rows:  # the first per agent id, as agent_name picks it
            if ("agent", user.agent_id) not in cache:
                cache["agent", user.agent_id] = _shown(user)
        for agent_id in agents:
            cache.setdefault(("agent", agent_id), None)


def agent_name(db_session: Session | None, agent_id: str | None) -> str | None:
    """The display name (else username) of the agent user whose recordings carry ``agent_id``."""
    if db_session is None or not agent_id:
        return None
    cache = _cache(db_session)
    if ("agent", agent_id) not in cache:
        user = db_session.scalars(
            select(User)
            .where(User.agent_id == agent_id, User.role == Role.AGENT)
            .order_by(User.active.desc(), User.id)
        ).first()
        cache["agent", agent_id] = _shown(user)
    return cache["agent", agent_id]
