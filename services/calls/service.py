"""Calls: registering a recording once (by object and by content), and reading calls as a
principal may see them. Which bucket objects are recordings, and the S3 events and reconciler
that find them, are in ``recordings.py``."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, false, literal, or_, select, true, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import storage
from services.calls import hooks, identity, paging
from services.calls.schemas import CallMetadata
from services.calls.tables import Call, CallStatus
from services.errors import NotFound
from services.i18n import _
from services.people import service as people_service
from services.people.service import Principal, Role


def visible_to(*, db_session: Session, principal: Principal | None) -> ColumnElement[bool]:
    """The calls a principal may see (OWASP API1: authorise on the object, not the route).

    Managers, admins and training leads see every call; a team lead their team's; an agent
    their own (by the agent id recordings carry); an inspector the calls assigned to them for
    review and the calls of their current areas. None is the system itself (workers, CLI).
    """
    if principal is None or principal.role in Role.SEE_ALL:
        return true()
    if principal.role == Role.TEAM_LEAD:
        return Call.team == principal.team if principal.team else false()
    if principal.role == Role.AGENT:
        return Call.agent_id == principal.agent_id if principal.agent_id else false()
    if principal.role == Role.INSPECTOR:
        mine = people_service.areas(db_session=db_session, area_ids=principal.area_ids)
        queues = sorted({q for a in mine for q in a.queues})
        teams = sorted({t for a in mine for t in a.teams})
        assigned = Call.id.in_(hooks.under_review(principal.user_id))
        return or_(assigned, Call.queue.in_(queues), Call.team.in_(teams))
    return false()


def get(*, db_session: Session, call_id: int, principal: Principal | None = None) -> Call | None:
    """Returns a call by id, if the principal may see it."""
    return db_session.scalars(
        select(Call).where(
            Call.id == call_id, visible_to(db_session=db_session, principal=principal)
        )
    ).one_or_none()


def get_or_raise(*, db_session: Session, call_id: int, principal: Principal | None = None) -> Call:
    """Returns a call by id or raises NotFound (also for calls the principal may not see)."""
    call = get(db_session=db_session, call_id=call_id, principal=principal)
    if call is None:
        raise NotFound(_("call {call_id} does not exist", call_id=call_id))
    return call


def get_all(
    *,
    db_session: Session,
    principal: Principal | None = None,
    status: str | None = None,
    agent_id: str | None = None,
    team: str | None = None,
    flagged: bool | None = None,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[Call], str | None]:
    """Returns one page of calls, newest first, and the cursor of the next page (keyset):
    in arrival order, or by call start within a time window (``paging``)."""
    windowed = started_from is not None or started_to is not None
    order = (Call.started_at.desc(), Call.id.desc()) if windowed else (Call.id.desc(),)
    query = (
        select(Call)
        .where(visible_to(db_session=db_session, principal=principal))
        .order_by(*order)
        .limit(limit + 1)
    )
    if status:
        query = query.where(Call.status == status)
    if agent_id:
        query = query.where(Call.agent_id == agent_id)
    if team:
        query = query.where(Call.team == team)
    if flagged is not None:
        query = query.where(Call.flagged == flagged)
    if started_from:
        query = query.where(Call.started_at >= started_from)
    if started_to:
        query = query.where(Call.started_at < started_to)
    if cursor:
        position = paging.decode(cursor, windowed=windowed)
        if position.at is not None:
            query = query.where(
                tuple_(Call.started_at, Call.id)
                # Typed as the column: SQLite stores these times as text in the column's form.
                < tuple_(literal(position.at, Call.started_at.type), literal(position.before))
            )
        else:
            query = query.where(Call.id < position.before)
    calls = db_session.scalars(query).all()
    if len(calls) <= limit:
        return calls, None
    last = calls[limit - 1]
    return calls[:limit], paging.encode(
        paging.Position(last.id, last.started_at if windowed else None)
    )


def register(
    *,
    db_session: Session,
    info: storage.ObjectInfo,
    source: str,
    metadata: CallMetadata | None,
    failure: str | None = None,
    sha256: str | None = None,
) -> tuple[Call, bool]:
    """Records an object as a call once; returns the call and whether it is new.

    Once by the object (bucket, key, version), and once by its content: the same bytes under
    another key (``sha256``, in the scope of the source's external id) are the same call.
    """
    scope = identity.scope(metadata)
    existing = find_object(db_session, info)
    if existing is not None:
        return existing, False
    same = (
        identity.find(db_session=db_session, bucket=info.bucket, sha256=sha256, scope=scope)
        if sha256
        else None
    )
    if same is not None:
        if (
            same.status != CallStatus.FAILED
            or failure
            or metadata is None
            or not identity.changes(same, metadata)
        ):
            return same, False
        # The recording of a failed call again, now with other (valid) metadata: resubmitted.
        # Unchanged metadata is not a fix: a damaged recording must not loop.
        identity.reupload(
            db_session=db_session,
            call=same,
            metadata=metadata,
            replace_metadata=True,
            username=source,
        )
        return same, True
    meta = metadata or CallMetadata()
    call = Call(
        bucket=info.bucket,
        object_key=info.key,
        object_version=info.version,
        size_bytes=info.size,
        content_sha256=sha256,
        content_scope=scope,
        source=source,
        **identity.fields(meta, given_only=False),
        status=CallStatus.FAILED if failure else CallStatus.RECEIVED,
        failure_reason=failure,
    )
    try:
        with db_session.begin_nested():
            db_session.add(call)
    except IntegrityError:
        # Another ingestion path registered the same object or bytes between check and insert.
        existing = find_object(db_session, info) or (
            identity.find(db_session=db_session, bucket=info.bucket, sha256=sha256, scope=scope)
            if sha256
            else None
        )
        assert existing is not None
        return existing, False
    return call, True


def find_object(db_session: Session, info: storage.ObjectInfo) -> Call | None:
    """The call registered for this object (bucket, key, version), if any."""
    return db_session.scalars(
        select(Call).where(
            Call.bucket == info.bucket,
            Call.object_key == info.key,
            Call.object_version == info.version,
        )
    ).one_or_none()


def reviewed_ids() -> Select[int]:
    """The ids of calls with a review, open or submitted: QA has them already."""
    return hooks.under_review()
