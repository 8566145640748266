"""Sign-in and the signed-in person, as the API takes and returns them."""

from pydantic import BaseModel, ConfigDict, Field

from services.types import NO_CONTROL


class LoginIn(BaseModel):
    """Credentials."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150, pattern=NO_CONTROL)
    password: str = Field(min_length=1, max_length=1024)


class MeOut(BaseModel):
    """The signed-in person."""

    username: str
    role: str
    team: str | None
    agent_id: str | None
    area_ids: list[int]
    csrf_token: str | None = Field(None, description="Send as X-CSRF-Token on changes (sessions).")
