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
    rules,
    training,
)

router = APIRouter()
for part in (entry, inspector, evaluation, agent, disputes, browse, manage, rules, training):
    router.include_router(part.router)
