"""What follows a change to what counts against an agent: a release, a correction in force, a
dispute opened or decided.

The discipline ladder registers here because it reads the evaluations and the disputes: a call
from evaluations (or disputes) to discipline would close a circle. services/qa/__init__.py
imports the ladder's side, so no process can change an evaluation without it.
"""

from collections.abc import Callable

from sqlalchemy.orm import Session

AgentHook = Callable[[Session, str | None], object]
_after_change: list[AgentHook] = []


def on_agent_change(hook: AgentHook) -> None:
    """Calls ``hook`` (session, agent id) after each change to what counts against an agent."""
    if hook not in _after_change:
        _after_change.append(hook)


def agent_changed(*, db_session: Session, agent_id: str | None) -> None:
    """Runs the registered hooks for an agent whose evaluations or disputes just changed."""
    for hook in _after_change:
        hook(db_session, agent_id)
