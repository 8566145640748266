"""Sign-in and the signed-in person, as the API takes and returns them."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.types import MAX_ID, NO_CONTROL, ShortText, Strict, UtcDatetime


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
    display_name: str | None = None
    language: str | None = Field(None, description="The language chosen; None: Accept-Language.")


Language = Literal["zh_CN", "en"]
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150,
                                            pattern=NO_CONTROL)]  # fmt: skip
RoleName = Literal["admin", "qa_manager", "inspector", "team_lead", "training_lead", "agent"]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class PasswordChangeIn(Strict):
    """One's own new password; the current one proves it is really them."""

    current_password: Password
    new_password: Password


class PasswordSetIn(Strict):
    """A password an admin sets for someone."""

    password: Password


class SignInLinkRedeemIn(Strict):
    """The secret of a one-time sign-in link and the password it sets."""

    link: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_CONTROL)]
    password: Password


class SignInLinkOut(BaseModel):
    """A one-time sign-in link: give the secret to the user, once."""

    username: str
    link: str = Field(description="Send to POST /api/v1/auth/sign-in-link with a new password.")
    expires_at: UtcDatetime


class UserIn(Strict):
    """A new user: an initial password, or a one-time sign-in link, or neither (tokens only)."""

    username: Username
    role: RoleName
    display_name: ShortText | None = None
    team: ShortText | None = None
    agent_id: ShortText | None = None
    language: Language | None = None
    hired_on: date | None = None
    password: Password | None = None
    sign_in_link: bool = False


class UserPatch(Strict):
    """Changes to a user; fields left out stay."""

    username: Username | None = None
    role: RoleName | None = None
    display_name: ShortText | None = None
    team: ShortText | None = None
    agent_id: ShortText | None = None
    language: Language | None = None
    hired_on: date | None = None
    active: bool | None = None
    area_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        None, max_length=500, description="An inspector's current areas."
    )


class UserOut(BaseModel):
    """A user as admins see them."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str | None
    role: str
    team: str | None
    agent_id: str | None
    language: str | None
    hired_on: date | None
    active: bool
    has_password: bool
    created_at: UtcDatetime
    area_ids: list[int] = []
    sign_in_link: SignInLinkOut | None = None


class UserImportIn(Strict):
    """Users from CSV (username, role, team, agent_id, display_name, hired_on), all or none."""

    csv: Annotated[str, StringConstraints(min_length=1, max_length=2_000_000)]
    initial_password: Password | None = None
    sign_in_links: bool = Field(False, description="A one-time sign-in link for each user.")


class TeamIn(Strict):
    """A team by the name its users and recordings carry."""

    name: ShortText
    display_name: ShortText | None = None


class TeamPatch(Strict):
    """Changes to a team."""

    display_name: ShortText | None = None
    active: bool | None = None


class TeamOut(BaseModel):
    """A team and how many active users are in it."""

    id: int
    name: str
    display_name: str | None
    active: bool
    members: int


class AreaIn(Strict):
    """An area: the calls of these queues and teams."""

    name: ShortText
    queues: list[ShortText] = Field(default_factory=list, max_length=500)
    teams: list[ShortText] = Field(default_factory=list, max_length=500)


class AreaPatch(Strict):
    """Changes to an area."""

    name: ShortText | None = None
    queues: list[ShortText] | None = Field(None, max_length=500)
    teams: list[ShortText] | None = Field(None, max_length=500)
    active: bool | None = None


class AreaOut(BaseModel):
    """An area and the inspectors watching it now."""

    id: int
    name: str
    queues: list[str]
    teams: list[str]
    active: bool
    inspectors: list[str]


class TokenIn(Strict):
    """A new API token for a user."""

    user_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    name: ShortText = "api"


class TokenOut(BaseModel):
    """A token (its secret only once, when created)."""

    id: int
    user_id: int
    username: str
    name: str
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None
    token: str | None = None
