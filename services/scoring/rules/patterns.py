"""User-written regular expressions, compiled and searched with a time limit.

Python's own ``re`` cannot be interrupted: a pattern such as ``(a+)+$`` backtracks for minutes
on a line of thirty characters, holding the API thread or the worker all that time. The ``regex``
package, in its ``re``-compatible VERSION0 mode, takes a timeout on every search; the searches
of one condition on one call share one time budget.
"""

import time
from typing import Any

import regex

from services.i18n import _

# Enough for any sane pattern on a whole call's text by orders of magnitude; a pattern that
# needs more is backtracking without end.
TIME_LIMIT_S = 1.0

error = regex.error


class PatternTimeout(Exception):
    """A search that ran past its time budget."""

    def __init__(self, pattern: str, limit_s: float) -> None:
        """Names the pattern and the limit it ran past."""
        super().__init__(
            _(
                "the regular expression {pattern} ran longer than {seconds} s and was stopped: "
                "rewrite it without nested repetition such as (a+)+",
                pattern=repr(pattern),
                seconds=limit_s,
            )
        )
        self.pattern = pattern


def compile_pattern(pattern: str, *, ignore_case: bool = True) -> Any:
    """``pattern`` compiled with the syntax of Python's ``re``; raises ``error``."""
    flags = regex.VERSION0 | (regex.IGNORECASE if ignore_case else 0)
    return regex.compile(pattern, flags)


class Budget:
    """The time left to the searches of one condition on one call."""

    def __init__(self, limit_s: float | None = None) -> None:
        """Starts the clock: ``limit_s`` (default TIME_LIMIT_S) from now."""
        self.limit_s = TIME_LIMIT_S if limit_s is None else limit_s
        self.deadline = time.monotonic() + self.limit_s

    def search(self, compiled: Any, text: str, pos: int = 0) -> Any:
        """``compiled.search(text, pos)`` within the time left; raises PatternTimeout."""
        left = self.deadline - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError
            # concurrent: the GIL is let go while it matches, so other threads run meanwhile.
            return compiled.search(text, pos, timeout=left, concurrent=True)
        except TimeoutError:
            raise PatternTimeout(compiled.pattern, self.limit_s) from None
