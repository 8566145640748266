"""The QA floor of the review tests (people, scored calls, reviews) for the session tests."""

from tests.qa.conftest import floor, review_call  # noqa: F401 - fixtures and helper shared
