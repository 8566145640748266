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
    people,
    rotation,
    rules,
)

router = APIRouter()
PAGES = (entry, inspector, evaluation, agent, disputes, browse, manage, rules, calibration, people)
for part in (*PAGES, rotation):
    router.include_router(part.router)
