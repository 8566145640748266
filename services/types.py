"""Field types and validators shared by the API's schemas, one of each."""

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StringConstraints

from services.i18n import _


def as_utc(value: datetime | None) -> datetime | None:
    """Aware UTC; a naive time is taken as UTC (SQLite hands back naive UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]

# Times a person or a telephony system sends: calls, periods, reports. Outside these years a time
# is a typo, and near year 1 or 9999 moving it to another zone overflows.
FIRST_YEAR, LAST_YEAR = 1970, 2199


def _sane_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            _(
                "dates go from the year {first} to {last}",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )


def sane_time(value: datetime) -> datetime:
    """``value`` as aware UTC, if its year is a sane one."""
    _sane_year(value.year)  # first: a year-1 time cannot be moved to UTC
    utc = as_utc(value)
    assert utc is not None
    _sane_year(utc.year)
    return utc


def sane_day(value: date) -> date:
    """``value``, if its year is a sane one."""
    _sane_year(value.year)
    return value


# A time sent to the API (aware UTC, a naive one taken as UTC) within sane years.
InputDatetime = Annotated[datetime, AfterValidator(sane_time)]
InputDate = Annotated[date, AfterValidator(sane_day)]
# The same, where the time zone must be given.
InputAwareDatetime = Annotated[AwareDatetime, AfterValidator(sane_time)]
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
    """Unknown fields are mistakes, and so are infinite numbers and NaN (JSON has neither)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
