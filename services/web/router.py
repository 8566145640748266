"""The web workplace: server-rendered pages for every role, mounted at ``/``."""

from fastapi import APIRouter

from services.web import (
    agent,
    browse,
    calibration,
    disputes,
    entry,
    evaluation,
    inspector,
    manage,
    rules,
)

router = APIRouter()
for part in (entry, inspector, evaluation, agent, disputes, browse, manage, rules, calibration):
    router.include_router(part.router)
