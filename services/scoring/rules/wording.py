"""How evidence reads: the measures and absences a hit shows, as Messages (services.i18n) that
each reader sees in their own language. The English texts here are catalogue message ids."""

from typing import TYPE_CHECKING

from services.i18n import N_, Message

if TYPE_CHECKING:
    from services.scoring.rules.operators import KeywordParams, Window

MAX_TERMS_SHOWN = 4

ROLES = {"agent": N_("agent"), "customer": N_("customer"), "unknown": N_("unknown speaker")}
LABELS = {"angry": N_("angry"), "negative": N_("negative")}


def role(name: str | None) -> Message | str:
    """A party's name in the reader's language."""
    return ROLES.get(name or "unknown", name or "")


def clock(seconds: float) -> str:
    """A time in the call as m:ss (0:42)."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def window(where: "Window | None") -> Message:
    """Where in the call a condition looked."""
    if where is None:
        return N_("anywhere in the call")
    if where.first_s is not None:
        return N_("in the first {seconds} s", seconds=f"{where.first_s:g}")
    if where.last_s is not None:
        return N_("in the last {seconds} s", seconds=f"{where.last_s:g}")
    if where.first_turns is not None:
        return N_("in their first {count} turns", count=where.first_turns)
    return N_("in their last {count} turns", count=where.last_turns)


def after(count: int, at: float) -> Message:
    """Within a few turns after a moment of the call."""
    return N_("within {count} turns after {time}", count=count, time=clock(at))


def terms(params: "KeywordParams") -> str:
    """The first few keywords of a condition, as a list to read."""
    words = [group[0] for group in params.terms()]
    shown = "、".join(f"「{w}」" for w in words[:MAX_TERMS_SHOWN])
    return shown + ("…" if len(words) > MAX_TERMS_SHOWN else "")


def missing_words(params: "KeywordParams", where: Message) -> Message:
    """What was not said, by whom, where it was expected."""
    if params.role == "any":
        return N_("Nobody said {terms} {where}", terms=terms(params), where=where)
    return N_(
        "The {role} said none of {terms} {where}",
        role=role(params.role),
        terms=terms(params),
        where=where,
    )


def not_found(who: str, where: Message) -> Message:
    """An expected thing (not a keyword) that was not found."""
    if who == "any":
        return N_("Not found {where}", where=where)
    return N_("Not said by the {role} {where}", role=role(who), where=where)


def silence(seconds: float) -> Message:
    """Dead air."""
    return N_("{seconds} s silence", seconds=f"{seconds:.1f}")


def overtalk(seconds: float, interrupted: str) -> Message:
    """Talking over the other party."""
    return N_("{seconds} s over the {role}", seconds=f"{seconds:.1f}", role=role(interrupted))


def rate(value: float, unit: str, text: str | None = None) -> Message:
    """A speech rate (characters or words a minute), with what was said in a turn."""
    figure = f"{value:.0f}"
    if text is None:
        if unit == "characters":
            return N_("{rate} characters/min", rate=figure)
        return N_("{rate} words/min", rate=figure)
    if unit == "characters":
        return N_("{rate} characters/min: {text}", rate=figure, text=text)
    return N_("{rate} words/min: {text}", rate=figure, text=text)


def first_words(seconds: float) -> Message:
    """When the agent first spoke."""
    return N_("the agent first spoke at {seconds} s", seconds=f"{seconds:.1f}")


def lasted(seconds: float) -> Message:
    """How long the call lasted."""
    return N_("the call lasted {seconds} s", seconds=f"{seconds:.0f}")


def talk_share(ratio: float) -> Message:
    """A party's share of the talk time."""
    return N_("{share} of talk time", share=f"{ratio:.0%}")


def level(dbfs: float) -> Message:
    """A speech level."""
    return N_("{level} dBFS", level=f"{dbfs:.0f}")


def feeling(share: float, label: str, text: str) -> Message:
    """How sure the classifier is of a feeling in a turn, with the turn's words."""
    return N_(
        "{level} {label}: {text}", level=f"{share:.0%}", label=LABELS.get(label, label), text=text
    )


def sounds_like(heard: str, keyword: str) -> Message:
    """A keyword matched by its sound."""
    return N_("{heard} (sounds like {keyword})", heard=heard, keyword=keyword)


def _reason(message: Message) -> str:
    """Why a condition cannot be measured: kept as its English message id (the rule results
    store text), read in the reader's language by looking it up in the catalogue."""
    return str(message["msgid"])


MONO_ROLES = _reason(N_("roles are unknown on a mono recording"))
MONO_SILENCE = _reason(N_("whose turn a silence was is unknown on a mono recording"))
MONO_OVERTALK = _reason(N_("overtalk cannot be measured on a mono recording"))
MONO_TALK_RATIO = _reason(N_("talk ratio cannot be measured on a mono recording"))
NO_FIRST_WORDS = _reason(N_("the agent's first words cannot be told apart on this recording"))
NO_SENTIMENT_MODEL = _reason(N_("the sentiment classifier has no training data"))
NO_LOUDNESS = {
    "agent": _reason(N_("the agent's loudness is not known for this call")),
    "customer": _reason(N_("the customer's loudness is not known for this call")),
}
