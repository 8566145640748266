"""Pydantic's validation errors in the reader's language: their ``msg`` from the catalogue.

Clients rely on each error's ``loc``, ``type`` and ``ctx``; only the ``msg`` a person reads is
written anew, from the error's ``type`` with ``{placeholders}`` filled from its ``ctx``. A type
not listed here keeps pydantic's English.
"""

from collections.abc import Mapping
from string import Formatter
from typing import Any

from services.i18n import N_, Message, render
from services.types import NO_CONTROL

# Pydantic's error types → the message a person reads. Two entries (a tuple) are the texts for
# a count of one and for any other count, with the ``ctx`` key that holds the count.
MESSAGES: dict[str, Message | tuple[str, Message, Message]] = {
    "missing": N_("Field required"),
    "missing_argument": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "unexpected_keyword_argument": N_("Extra inputs are not permitted"),
    "string_type": N_("Input should be a valid string"),
    "string_too_short": (
        "min_length",
        N_("Text should not be empty"),
        N_("Text should have at least {min_length} characters"),
    ),
    "string_too_long": (
        "max_length",
        N_("Text should have at most 1 character"),
        N_("Text should have at most {max_length} characters"),
    ),
    "string_pattern_mismatch": N_("Text should match the pattern {pattern}"),
    "too_short": (
        "min_length",
        N_("Should not be empty"),
        N_("Should have at least {min_length} items, not {actual_length}"),
    ),
    "too_long": (
        "max_length",
        N_("Should have at most 1 item, not {actual_length}"),
        N_("Should have at most {max_length} items, not {actual_length}"),
    ),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_parsing_size": N_("Input should be an integer of a sensible size"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "finite_number": N_("Input should be a finite number"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "multiple_of": N_("Input should be a multiple of {multiple_of}"),
    "literal_error": N_("Input should be {expected}"),
    "enum": N_("Input should be {expected}"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "date_type": N_("Input should be a valid date"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD, {error}"),
    "date_from_datetime_parsing": N_("Input should be a valid date or datetime, {error}"),
    "date_from_datetime_inexact": N_("A date should have no time of day"),
    "datetime_type": N_("Input should be a valid datetime"),
    "datetime_parsing": N_("Input should be a valid datetime, {error}"),
    "datetime_from_date_parsing": N_("Input should be a valid datetime or date, {error}"),
    "timezone_aware": N_("Input should have timezone info"),
    "timezone_naive": N_("Input should not have timezone info"),
    "json_invalid": N_("Invalid JSON: {error}"),
    "json_type": N_("JSON input should be string, bytes or bytearray"),
    "model_type": N_("Input should be a JSON object"),
    "model_attributes_type": N_("Input should be a JSON object"),
    "dict_type": N_("Input should be a JSON object"),
    "list_type": N_("Input should be a valid list"),
    "none_required": N_("Input should be null"),
    "url_type": N_("Input should be a valid URL"),
    "url_parsing": N_("Input should be a valid URL, {error}"),
    "url_scheme": N_("URL scheme should be {expected_schemes}"),
    "uuid_type": N_("Input should be a valid UUID"),
    "uuid_parsing": N_("Input should be a valid UUID, {error}"),
    "decimal_parsing": N_("Input should be a valid decimal"),
}
# Our validators raise ValueError with a text already in the request's language (``_()``):
# their ``msg`` is that text, without pydantic's English "Value error, " before it.
OWN_TEXT = ("value_error", "assertion_error")
# The pattern every free text must match: naming it reads better than printing it.
NO_CONTROL_MESSAGE = N_("Text should not contain control characters")


def message_of(error: Mapping[str, Any], language: str | None = None) -> str:
    """The ``msg`` of one pydantic error in ``language`` (else the current one)."""
    wording = wording_of(error)
    return render(wording, language) if isinstance(wording, dict) else wording


def wording_of(error: Mapping[str, Any]) -> Message | str:
    """The ``msg`` of one pydantic error as a Message to render later (pydantic's own words
    where the catalogue has none)."""
    kind = str(error.get("type"))
    ctx = dict(error.get("ctx") or {})
    if kind in OWN_TEXT and "error" in ctx:
        return str(ctx["error"])
    entry = MESSAGES.get(kind)
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == NO_CONTROL:
        entry = NO_CONTROL_MESSAGE
    if isinstance(entry, tuple):
        count_key, one, other = entry
        entry = one if ctx.get(count_key) == 1 else other
    if entry is None:
        return str(error.get("msg", ""))
    needed = {name for _text, name, _spec, _conv in Formatter().parse(entry["msgid"]) if name}
    if not needed <= ctx.keys():  # a ctx without a placeholder's value: pydantic's own words
        return str(error.get("msg", ""))
    params = {name: str(value) for name, value in ctx.items()}
    return {"msgid": entry["msgid"], "params": params}


def localised_errors(errors: list[Any]) -> list[Any]:
    """``errors`` with each ``msg`` in the current language; everything else as it was."""
    return [{**error, "msg": message_of(error)} for error in errors]
