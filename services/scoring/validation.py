"""Checking a rule pack before it is installed: the pack's own validation, then its test cases
(the same verdict for the API and the pages); and the installed packs' self-tests."""

from services.errors import InvalidInput
from services.i18n import _
from services.scoring.rules import pack as pack_module
from services.scoring.rules import packtests
from services.scoring.rules.pack import CompiledPack
from services.scoring.schemas import ValidationOut


def self_test(pack: CompiledPack) -> ValidationOut:
    """Runs a compiled pack's test cases: how many ran and which failed."""
    try:
        count, failures = packtests.run(pack)
    except ValueError as exc:
        return ValidationOut(
            valid=False, errors=[f"test cases: {exc}"], pack=pack.id, version=pack.version
        )
    return ValidationOut(
        valid=not failures,
        errors=[],
        pack=pack.id,
        version=pack.version,
        tests_run=count,
        test_failures=[str(f) for f in failures],
    )


def validate(body: bytes) -> ValidationOut:
    """Validates a pack sent as YAML and runs its test cases; nothing is installed. A body too
    large or not UTF-8 is refused (InvalidInput); an invalid pack answers with its errors."""
    if len(body) > pack_module.MAX_PACK_BYTES:
        raise InvalidInput(
            _("a pack is at most {size_kb} KB", size_kb=pack_module.MAX_PACK_BYTES // 1024)
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(_("the pack must be UTF-8 text")) from None
    try:
        pack = pack_module.parse(text, source="request")
    except pack_module.PackError as exc:
        return ValidationOut(valid=False, errors=exc.errors)
    return self_test(pack)
