"""The web workplace: server-rendered pages for every role, mounted at ``/``."""

from fastapi import APIRouter

from services.web import (
    agent,
    browse,
    calibration,
    calibration_history,
    calibration_reveal,
    disputes,
    entry,
    evaluation,
    inspector,
    manage,
    people,
    rotation,
    rules,
    training,
)

PAGES = (entry, inspector, evaluation, agent, disputes, browse, manage, rules, calibration, people)
router = APIRouter()
for part in (*PAGES, calibration_history, calibration_reveal, rotation, training):
    router.include_router(part.router)
