"""The web workplace: server-rendered pages for every role, mounted at ``/``."""

from fastapi import APIRouter

from services.web import (
    agent,
    browse,
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
for part in (entry, inspector, evaluation, agent, disputes, browse, manage, rules):
    router.include_router(part.router)
for part in (people, rotation):
    router.include_router(part.router)
