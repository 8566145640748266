"""zhijian's exception family: each says what went wrong in words a person can act on."""

from services.i18n import Message, render


class ZhijianError(Exception):
    """Base class of every error zhijian raises on purpose."""


class NotFound(ZhijianError):
    """The object asked for does not exist (or is not visible to the caller)."""


class InvalidInput(ZhijianError):
    """A request or a file that zhijian cannot accept as it is."""


class TooLarge(InvalidInput):
    """An upload over the configured size limit."""


class Conflict(ZhijianError):
    """A valid request the object's state does not allow (already done, too late)."""


class NotReady(Conflict):
    """Asked for too early: the object is still being worked on (retry after ``retry_after_s``),
    or cannot become ready (``retry_after_s`` None)."""

    def __init__(self, message: str, *, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ObjectMissing(ZhijianError):
    """A recording that is no longer in object storage."""


class StorageUnavailable(ZhijianError):
    """Object storage could not be reached; retrying later may work."""


class DatabaseUnavailable(ZhijianError):
    """The database could not be reached (down, restarting, the connection lost); retrying
    later may work."""


class BadRecording(ZhijianError):
    """A recording that cannot be transcribed: undecodable, empty, silent, truncated, too long.
    The reason is a Message: the call keeps it, and each reader sees it in their language."""

    def __init__(self, wording: Message) -> None:
        super().__init__(render(wording))
        self.wording = wording


class Unauthenticated(ZhijianError):
    """No valid credentials: sign in, or send a bearer token."""


class Forbidden(ZhijianError):
    """Signed in, but this role may not do this (objects one may not see answer NotFound)."""
