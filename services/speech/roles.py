"""Who is the agent on a mono recording: cues from what each voice says, with a confidence.

Each cue is evidence, in log-odds, that voice 0 rather than voice 1 is the agent: the
greeting or self-identification script (strong: customers do not say 工号 or "thank you for
calling"), service language against customer language (a text classifier, sentence by
sentence), on inbound calls who speaks first (the agent answers) and, where the agent has
enrolled one, which voice sounds like the agent's voiceprint. Their sum gives the
confidence. Where the two voices cannot be told apart, every piece of speech is judged by its
own words instead. Below the confidence threshold the roles stay ``unknown``, with the reason.
"""

import math
import re
from dataclasses import dataclass, field

from models.speaker import roles as role_model

# Phrases only an agent says: the greeting and self-identification scripts.
SCRIPT = re.compile(
    r"(很高兴为您服务|为您服务|工号|有什么可以帮您|客服中心|客服代表|感谢您的来电|欢迎致电"
    r"|thank(s| you) for calling|how (can|may) i (help|assist)|my name is \w+|this is \w+ speaking"
    r"|you('ve| have) reached)",
    re.IGNORECASE,
)
SCRIPT_LOG_ODDS = 3.0
# An enrolled voiceprint: a voice nearer to it by 0.1 in cosine is 3 in log-odds (one speaker's
# recordings meet at 0.8-0.9, two speakers' mostly below 0.8), at most 4.
VOICEPRINT_LOG_ODDS_PER_COSINE = 30.0
MAX_VOICEPRINT_LOG_ODDS = 4.0
FIRST_SPEAKER_LOG_ODDS = 1.0
MAX_SENTENCE_LOG_ODDS = 3.0  # one sentence the classifier is sure of does not decide the call
OPENING_TURNS = 3  # the script is looked for in each voice's first turns


@dataclass
class Utterance:
    """A piece of speech with its words, the unit roles are decided for."""

    voice: int
    start: float
    end: float
    text: str


@dataclass
class RoleDecision:
    """Which voice is the agent, how sure, and why."""

    agent_voice: int | None  # None: roles stay unknown (or, by_text, decided per utterance)
    confidence: float
    reason: str
    method: str  # "voices" | "text" | "none"
    # For method "text": each utterance's role and confidence, in the order given.
    per_utterance: list[tuple[str, float]] = field(default_factory=list)


def _sentence_log_odds(texts: list[str]) -> list[float]:
    """Each text's evidence of service language, capped."""
    probabilities = role_model.load().agent_probability(texts)
    return [_capped_logit(p, MAX_SENTENCE_LOG_ODDS) for p in probabilities]


def _capped_logit(p: float, cap: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return max(-cap, min(cap, math.log(p / (1 - p))))


def _says_script(utterances: list[Utterance], voice: int) -> bool:
    own = [u for u in utterances if u.voice == voice][:OPENING_TURNS]
    return any(SCRIPT.search(u.text) for u in own)


def _confidence(log_odds: float) -> float:
    return 1.0 / (1.0 + math.exp(-abs(log_odds)))


def by_voices(
    utterances: list[Utterance],
    *,
    inbound: bool | None,
    likeness: tuple[float, float] | None = None,
) -> tuple[float, list[str]]:
    """Log-odds that voice 0 is the agent, and the cues that said so, in words.

    ``likeness``: each voice's cosine with the agent's enrolled voiceprint, where there is one.
    """
    said = [u for u in utterances if u.text]
    total, cues = 0.0, []
    scripted = [v for v in (0, 1) if _says_script(said, v)]
    if len(scripted) == 1:
        total += SCRIPT_LOG_ODDS if scripted == [0] else -SCRIPT_LOG_ODDS
        cues.append(f"voice {scripted[0]} says the greeting script")
    odds = _sentence_log_odds([u.text for u in said])
    means = {}
    for v in (0, 1):
        own = [o for o, u in zip(odds, said, strict=True) if u.voice == v]
        means[v] = sum(own) / len(own) if own else 0.0
    total += (means[0] - means[1]) / 2
    leaning = 0 if means[0] > means[1] else 1
    cues.append(f"voice {leaning} talks more like an agent ({means[0]:+.1f} vs {means[1]:+.1f})")
    if inbound and said:
        first = said[0].voice
        total += FIRST_SPEAKER_LOG_ODDS if first == 0 else -FIRST_SPEAKER_LOG_ODDS
        cues.append(f"voice {first} speaks first on an inbound call")
    if likeness is not None:
        nearer = 0 if likeness[0] >= likeness[1] else 1
        leaning_odds = VOICEPRINT_LOG_ODDS_PER_COSINE * (likeness[0] - likeness[1])
        total += max(-MAX_VOICEPRINT_LOG_ODDS, min(MAX_VOICEPRINT_LOG_ODDS, leaning_odds))
        cues.append(
            f"voice {nearer} sounds like the agent's enrolled voiceprint "
            f"(cosine {likeness[0]:.2f} vs {likeness[1]:.2f})"
        )
    return total, cues


def decide(
    utterances: list[Utterance],
    *,
    separable: bool,
    inbound: bool | None,
    threshold: float,
    likeness: tuple[float, float] | None = None,
) -> RoleDecision:
    """Which voice is the agent (or, for one voice, each utterance's role), or why not known."""
    if not any(u.text for u in utterances):
        return RoleDecision(None, 0.0, "no words were recognised to tell the roles by", "none")
    if not separable:
        return by_text(utterances, threshold=threshold)
    log_odds, cues = by_voices(utterances, inbound=inbound, likeness=likeness)
    confidence = _confidence(log_odds)
    reason = "; ".join(cues)
    if confidence < threshold:
        return RoleDecision(
            None,
            confidence,
            f"roles unclear (confidence {confidence:.2f} < {threshold:.2f}): {reason}",
            "none",
        )
    agent = 0 if log_odds > 0 else 1
    reason = f"two voices; agent is voice {agent}: {reason}"
    return RoleDecision(agent, confidence, reason, "voices")


def by_text(utterances: list[Utterance], *, threshold: float) -> RoleDecision:
    """Roles of one-voice speech, utterance by utterance, from what is said."""
    odds = _sentence_log_odds([u.text for u in utterances])
    per_utterance = []
    for u, o in zip(utterances, odds, strict=True):
        if SCRIPT.search(u.text):
            o = max(o, SCRIPT_LOG_ODDS)
        per_utterance.append(("agent" if o > 0 else "customer", _confidence(o)))
    spoken = [(u.end - u.start, c) for u, (_, c) in zip(utterances, per_utterance, strict=True)]
    total = sum(d for d, _ in spoken) or 1.0
    confidence = sum(d * c for d, c in spoken) / total
    if confidence < threshold:
        return RoleDecision(
            None,
            confidence,
            "the two parties' voices are too alike to separate, and their words tell the roles "
            f"apart with confidence {confidence:.2f} < {threshold:.2f}",
            "none",
        )
    return RoleDecision(
        None,
        confidence,
        "the two parties' voices are too alike to separate; each utterance's role is told by "
        f"its words (service or customer language, the greeting script), mean confidence "
        f"{confidence:.2f}",
        "text",
        per_utterance,
    )
