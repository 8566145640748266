"""Path parameters shared by the routers."""

from typing import Annotated

from fastapi import Path

from services.types import MAX_ID

# Ids are BIGINT: larger ones cannot exist, and must not reach the database.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
CallId = Id
