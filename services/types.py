"""Field types and validators shared by the API's schemas, one of each."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints


def as_utc(value: datetime | None) -> datetime | None:
    """Aware UTC; a naive time is taken as UTC (SQLite hands back naive UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]
# No control characters: PostgreSQL cannot store NUL, and nobody types the others on purpose.
NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
MAX_ID = 2**63 - 1  # BIGINT: larger ids cannot exist, and must not reach the database
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255, pattern=NO_CONTROL)
]
# Comments and reasons: free text with line breaks, but no NUL or other control characters.
Comment = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=4000, pattern=NO_CONTROL)
]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=NO_CONTROL)
]


class Strict(BaseModel):
    """Unknown fields are mistakes."""

    model_config = ConfigDict(extra="forbid")
