"""What every router takes: the request's database session and shared path parameters."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path
from sqlalchemy.orm import Session

from services import db
from services.types import MAX_ID

# Ids are BIGINT: larger ones cannot exist, and must not reach the database.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
CallId = Id


def get_db() -> Iterator[Session]:
    """FastAPI dependency: one session and one unit of work per request, committed once when
    the endpoint returns (before the answer is sent), rolled back when it raises."""
    with db.session_scope() as session:
        yield session


# scope="function": the commit happens before the answer goes out, so a failed commit is the
# client's error too, and what the client is told was done is stored.
DbSession = Annotated[Session, Depends(get_db, scope="function")]
