"""An inspector's review of one call: verdicts on the machine hits, scores for the manual items,
comments, and the submitted evaluation (version 1)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.calls.service import Call
from services.config import get_settings
from services.db import utcnow
from services.errors import Conflict, InvalidInput, NotFound
from services.i18n import N_, _, stored
from services.people.service import Principal, Role
from services.qa.evaluations import content
from services.qa.evaluations import service as evaluations
from services.qa.evaluations.service import Evaluation
from services.qa.reviews import hooks, reevaluation, turn_notes
from services.qa.reviews.tables import HitVerdict, Review, ReviewStatus
from services.scoring import service as scoring_service
from services.scoring.service import CallScore


def get_or_raise(*, db_session: Session, review_id: int, principal: Principal) -> Review:
    """A review its inspector (or a manager) may work on; anyone else is told it does not exist."""
    review = db_session.get(Review, review_id)
    if review is None or (
        principal.role not in Role.MANAGERS and review.inspector_id != principal.user_id
    ):
        raise NotFound(_("review {review_id} does not exist", review_id=review_id))
    return review


def machine_score(*, db_session: Session, review: Review) -> CallScore:
    """The call's latest machine score, which the review starts from."""
    score = scoring_service.latest_score(db_session=db_session, call_id=review.call_id)
    if score is None:
        raise Conflict(
            _("call {call_id} has no machine score yet; score it first", call_id=review.call_id)
        )
    return score


def _hits(*, db_session: Session, score: CallScore) -> list[dict[str, Any]]:
    return [
        {
            "hit_id": h.id,
            "rule_id": h.rule_id,
            "rule_name": h.rule_name,
            "role": h.role,
            "start": h.start,
            "end": h.end,
            "turn_ids": h.turn_ids,
            "text": h.text,
            "message": h.message,
        }
        for h in scoring_service.hits(db_session=db_session, score=score)
    ]


def machine_items(*, db_session: Session, score: CallScore) -> list[content.Item]:
    """The machine scorecard as evaluation items, each rule item with its hits."""
    categories = {
        r.rule_id: r.category
        for r in scoring_service.rule_results(db_session=db_session, score=score)
    }
    return content.from_machine(
        score.items,
        _hits(db_session=db_session, score=score),
        categories,
        _ladder_terms(score.pack),
    )


def _ladder_terms(pack_id: str) -> dict[str, dict[str, Any]]:
    """Per scorecard item of the pack: the category and violation_when it gives (a pack no
    longer installed gives none: the defaults apply)."""
    try:
        pack = scoring_service.get_pack(rules_dir=get_settings().rules_dir, pack_id=pack_id)
    except NotFound:
        return {}
    card = pack.spec.scorecard
    return {
        item.id: item.model_dump(mode="json", include={"category", "violation_when"})
        for section in (card.sections if card else [])
        for item in section.items
    }


def flag_hits(
    *, db_session: Session, score: CallScore, draft: dict[str, Any]
) -> list[dict[str, Any]]:
    """The hits of rules no scorecard item scores (escalation, anger, personal data read out):
    judged like the others (``confirmed`` None until then), they score nothing."""
    scored = {item.get("rule") for item in score.items}
    verdicts = draft.get("hits", {})
    found = []
    for hit in _hits(db_session=db_session, score=score):
        if hit["rule_id"] in scored:
            continue
        verdict = verdicts.get(str(hit["hit_id"]), {})
        found.append(
            {**hit, "confirmed": verdict.get("confirmed"), "comment": verdict.get("comment", "")}
        )
    return found


def preview(items: list[content.Item], draft: dict[str, Any], *, by: str) -> list[content.Item]:
    """The items as they would be submitted with this draft."""
    scored = content.apply_verdicts(items, draft.get("hits", {}), by=by)
    return content.apply_scores(scored, draft.get("items", {}), by=by)


@dataclass
class ReviewState:
    """Where a review stands: its machine score, its items (as submitted, or as they would be
    with the draft so far) and what the draft still lacks."""

    machine: CallScore
    items: list[content.Item]
    flags: list[dict[str, Any]]
    missing: list[str]
    evaluation_id: int | None


def state(*, db_session: Session, review: Review, by: str) -> ReviewState:
    """The review as its inspector sees it."""
    score = machine_score(db_session=db_session, review=review)
    flags = flag_hits(db_session=db_session, score=score, draft=review.draft)
    submitted = evaluations.versions(db_session=db_session, review_id=review.id)
    if submitted and review.status == ReviewStatus.SUBMITTED:  # else a re-evaluation is open
        return ReviewState(score, submitted[-1].items, flags, [], submitted[-1].id)
    base = machine_items(db_session=db_session, score=score)
    return ReviewState(
        score, preview(base, review.draft, by=by), flags, content.problems(base, review.draft), None
    )


def save_draft(
    *,
    db_session: Session,
    review: Review,
    principal: Principal,
    hits: dict[int, dict[str, Any]],
    items: dict[str, dict[str, Any]],
    comment: str | None,
    turn_comments: dict[int, str] | None = None,
) -> Review:
    """Merges verdicts, item scores, the call comment and comments on single turns (an empty
    one removes the turn's) into the open review's draft."""
    if review.status != ReviewStatus.OPEN:
        raise Conflict(
            _(
                "review {review_id} is submitted; correct its evaluation instead",
                review_id=review.id,
            )
        )
    score = machine_score(db_session=db_session, review=review)
    base = machine_items(db_session=db_session, score=score)
    known = {h["hit_id"] for item in base for h in item["hits"]} | {
        h["hit_id"] for h in flag_hits(db_session=db_session, score=score, draft={})
    }
    unknown = sorted(set(hits) - known)
    if unknown:
        raise InvalidInput(
            _("hits {unknown} are not on this call's current machine score", unknown=unknown)
        )
    saved_turns = review.draft.get("turns", {})
    turns = turn_notes.merged(db_session=db_session, call_id=review.call_id,
                              saved=saved_turns, comments=turn_comments or {})  # fmt: skip
    draft = {
        "hits": {**review.draft.get("hits", {}), **{str(k): v for k, v in hits.items()}},
        "items": {**review.draft.get("items", {}), **items},
        "comment": review.draft.get("comment", "") if comment is None else comment,
        "turns": turns,
    }
    try:
        preview(base, draft, by=principal.username)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    review.draft = draft
    db_session.flush()
    return review


def submit(*, db_session: Session, review: Review, principal: Principal) -> Evaluation:
    """Turns a complete draft into the evaluation and records each hit verdict: version 1, or
    for a re-evaluation the next version of the same evaluation (its verdicts replace the
    earlier ones; released at once if the version it replaces was)."""
    if review.status != ReviewStatus.OPEN:
        raise Conflict(_("review {review_id} is already submitted", review_id=review.id))
    earlier = evaluations.versions(db_session=db_session, review_id=review.id)
    in_force = evaluations.in_force_for_call(db_session=db_session, call_id=review.call_id)
    if in_force is not None and in_force.review_id != review.id:
        raise Conflict(
            _(
                "call {call_id} already has evaluation {evaluation_id} in force; a QA manager "
                "may re-evaluate it",
                call_id=review.call_id,
                evaluation_id=in_force.id,
            )
        )
    score = machine_score(db_session=db_session, review=review)
    base = machine_items(db_session=db_session, score=score)
    missing = content.problems(base, review.draft)
    if missing:
        raise InvalidInput(_("the review is not complete: {missing}", missing="; ".join(missing)))
    items = preview(base, review.draft, by=principal.username)
    call = db_session.get(Call, review.call_id)
    assert call is not None  # reviews go with their call (ON DELETE CASCADE)
    if earlier:
        db_session.execute(delete(HitVerdict).where(HitVerdict.review_id == review.id))
    flags = flag_hits(db_session=db_session, score=score, draft=review.draft)
    judged = [hit for item in items for hit in item["hits"]]
    judged += [hit for hit in flags if hit["confirmed"] is not None]
    for hit in judged:
        db_session.add(
            HitVerdict(
                review_id=review.id,
                call_id=call.id,
                hit_id=hit["hit_id"],
                pack=score.pack,
                pack_version=score.pack_version,
                rule_id=hit["rule_id"],
                start=hit["start"],
                end=hit["end"],
                text=hit["text"],
                confirmed=hit["confirmed"],
                comment=hit["comment"],
                decided_by=principal.username,
            )
        )
    review.status = ReviewStatus.SUBMITTED
    review.submitted_at = utcnow()
    row = evaluations.write_version(
        db_session=db_session,
        review_id=review.id,
        inspector_id=review.inspector_id,
        call=call,
        pack=(score.pack, score.pack_version),
        items=items,
        weights=content.weights(score.sections),
        comment=review.draft.get("comment", ""),
        turn_comments=turn_notes.kept(review.draft),
        why=review.reason if earlier else stored(N_("review")),
        by=principal,
    )
    if earlier:
        reevaluation.settle(db_session=db_session, previous=earlier[-1], fresh=row, by=principal)
    else:
        hooks.submitted(db_session=db_session, review=review, evaluation=row, principal=principal)
    return row


def precision(*, db_session: Session, rule_id: str) -> dict[str, Any]:
    """How often inspectors confirmed the rule's hits, per pack version and overall."""
    rows = db_session.execute(
        select(HitVerdict.pack, HitVerdict.pack_version, HitVerdict.confirmed).where(
            HitVerdict.rule_id == rule_id
        )
    ).all()
    versions: dict[tuple[str, str], list[int]] = {}
    for pack, version, confirmed in rows:
        counts = versions.setdefault((pack, version), [0, 0])
        counts[0 if confirmed else 1] += 1

    def figures(confirmed: int, rejected: int) -> dict[str, Any]:
        reviewed = confirmed + rejected
        return {
            "confirmed": confirmed,
            "rejected": rejected,
            "reviewed": reviewed,
            "precision": round(confirmed / reviewed, 4) if reviewed else None,
        }

    return {
        "rule_id": rule_id,
        **figures(sum(c for c, _ in versions.values()), sum(r for _, r in versions.values())),
        "versions": [
            {"pack": pack, "pack_version": version, **figures(*counts)}
            for (pack, version), counts in sorted(versions.items())
        ],
    }


def check_exists(*, db_session: Session, rule_id: str, rules_dir: Path) -> None:
    """NotFound for a rule no pack has and no inspector has judged."""
    judged = db_session.scalar(select(HitVerdict.id).where(HitVerdict.rule_id == rule_id).limit(1))
    in_packs = any(
        r.id == rule_id for p in scoring_service.packs(rules_dir=rules_dir) for r in p.spec.rules
    )
    if judged is None and not in_packs:
        raise NotFound(_("no pack has a rule {rule_id!r}", rule_id=rule_id))
