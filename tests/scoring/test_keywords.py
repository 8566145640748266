"""Keyword search respects Chinese and English word boundaries, script, width and digits, and
finds exactly what a plain reference (every keyword tried at every position) finds, in the
same order."""

import gc
import random
import tracemalloc
from pathlib import Path

import pytest

from services.scoring.rules import keywords, packtests
from services.scoring.rules import pack as pack_module
from services.scoring.rules.conditions import register_keywords
from services.scoring.rules.keywords import KeywordIndex, outermost
from services.scoring.rules.scopes import KeywordScopes, in_window
from services.text.normalise import is_chinese, normalise, word_char, word_edges

RULES = Path(__file__).resolve().parents[2] / "rules"


def _found(keyword: str, text: str) -> bool:
    index = KeywordIndex()
    index.add(keyword, keyword)
    return bool(index.find(normalise(text)))


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("不行", "这个真的不行"),
        ("行政", "我去行政部门问问"),
        ("投诉", "我要投訴你們"),  # Traditional text, Simplified keyword
        ("12315", "我要打一二三一五投诉"),  # Chinese digits read out
        ("12315", "我要打12315"),  # full-width digits
        ("refund", "I want a REFUND now"),
        ("not my problem", "That is NOT my problem."),
        ("𠮷野家", "我在𠮷野家吃饭"),  # a character beyond the Basic Multilingual Plane
        ("ok!", "ok!!"),  # punctuation at an end needs no boundary
    ],
)
def test_keywords_are_found_as_whole_words(keyword, text):
    assert _found(keyword, text)


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("不行", "他在不行政的部门"),  # 不行 inside 不行政
        ("行政", "这个不行"),
        ("没办法", "我们有办法"),
        ("sue", "the issue is resolved"),
        ("refund", "refunds are processed"),
        ("12315", "call 123156"),
        ("sue", "sue_them"),
        ("café", "cafés"),
    ],
)
def test_keywords_never_match_inside_longer_words(keyword, text):
    assert not _found(keyword, text)


def test_one_automaton_serves_every_keyword_and_synonym():
    index = KeywordIndex()
    for word, term in (("投诉", "complaint"), ("举报", "complaint"), ("起诉", "lawsuit")):
        index.add(word, term)

    found = index.find(normalise("我要举报你们，还要去法院起诉"))

    assert [m.term for m in found] == ["complaint", "lawsuit"]


# Word edges by turn: 我要|投诉 (我 and 要 cut apart too), then texts without Chinese.
_TEXTS = ["我要投诉", "refund", "no refunds", "投诉"]
_EDGES = ["11101", "1000001", "10000000001", "101"]


def test_matches_are_reported_per_owner_with_their_turn():
    index = KeywordIndex()
    index.add("投诉", "complaint", owner="upset")
    index.add("refund", "refund", owner="money")

    found = index.find_turns(_TEXTS, _EDGES, [0, 1, 2, 3])

    assert found == {
        "upset": [(0, "complaint", 2, 4), (3, "complaint", 0, 2)],
        "money": [(1, "refund", 0, 6)],
    }
    assert index.find_turns(_TEXTS, _EDGES, [1, 2]) == {"money": [(1, "refund", 0, 6)]}
    assert index.find_turns(_TEXTS, _EDGES, []) == {}


def test_an_empty_index_or_text_finds_nothing():
    assert KeywordIndex().find_turns(_TEXTS, _EDGES, [0, 1]) == {}
    index = KeywordIndex()
    index.add("  ", "blank")  # nothing to search for once stripped
    index.add("投诉", "complaint")
    assert index.find_turns(["", "x"], ["1", "11"], [0, 1]) == {}


def test_a_keyword_written_over_two_lines_is_one_phrase_in_one_turn():
    index = KeywordIndex()
    index.add("refund\n  now", "refund now")
    texts = ["refund", "now", "refund now"]

    found = index.find_turns(texts, list(map(word_edges, texts)), [0, 1, 2])

    assert found == {None: [(2, "refund now", 0, 10)]}


def test_outermost_keeps_the_longest_of_nested_hits_in_each_text():
    hits = [  # text order: by end, the longest first
        (1, "a", 0, 2),
        (1, "b", 3, 5),
        (1, "c", 4, 5),  # inside b
        (1, "d", 1, 6),  # holds a? no (starts at 1); holds b and c
        (2, "e", 0, 2),  # the next text: never inside a hit of text 1
        (2, "e", 0, 2),  # the same spot twice
    ]

    assert outermost(hits) == [(1, "a", 0, 2), (1, "d", 1, 6), (2, "e", 0, 2)]


def _random_edges(rng: random.Random, n: int) -> str:
    """Word edges as jieba could put them: at both ends, and anywhere between."""
    return "1" + "".join(rng.choice("01") for _ in range(n - 1)) + "1" if n else "1"


@pytest.mark.parametrize(
    ("texts", "edges", "turns", "error"),
    [
        (["ab"], ["11"], [0], ValueError),  # word edges one short of the text
        (["ab"], ["1111"], [0], ValueError),
        (["ab"], ["111"], [1], IndexError),  # a turn that is not there
        (["ab"], [], [0], IndexError),
        ([b"ab"], ["111"], [0], TypeError),
        (["ab"], [None], [0], TypeError),
        (["ab"], ["111"], ["0"], TypeError),
    ],
)
def test_texts_that_do_not_fit_their_word_edges_or_turns_are_refused(texts, edges, turns, error):
    index = KeywordIndex()
    index.add("ab", "ab")

    with pytest.raises(error):
        index.find_turns(texts, edges, turns)


def _memory_growth(search, times: int) -> int:
    """Bytes allocated under keywords.py and still held after
    ``times`` more searches than a warm-up left; other threads of the test process (database
    pools, HTTP clients) allocate elsewhere and are not counted."""
    for _ in range(100):
        search()
    gc.collect()
    here = [tracemalloc.Filter(True, keywords.__file__)]
    before = tracemalloc.take_snapshot().filter_traces(here)
    for _ in range(times):
        search()
    gc.collect()
    after = tracemalloc.take_snapshot().filter_traces(here)
    return sum(stat.size_diff for stat in after.compare_to(before, "filename"))


def test_searching_again_and_again_holds_no_memory():
    index = KeywordIndex()
    for word in ("投诉", "稍等", "请您稍等", "refund"):
        index.add(word, word, owner=word)
    texts = [normalise("好的请您稍等，我要投诉 refund")] * 50
    edges = list(map(word_edges, texts))
    turns = list(range(50))

    def search() -> None:
        assert len(index.find_turns(texts, edges, turns)["投诉"]) == 50

    def refused() -> None:  # a refused search holds nothing either
        try:
            index.find_turns(texts, [*edges[:40], "1", *edges[41:]], turns)
        except ValueError:
            return
        raise AssertionError("short word edges were not refused")

    tracemalloc.start()
    try:
        for attempt in (search, refused):
            # A leak of the smallest object a search makes, once a search, would be 96 KB.
            assert _memory_growth(attempt, 3000) < 10_000
    finally:
        tracemalloc.stop()


# --- a plain reference: every keyword tried at every position of every turn -----------------
#
# What the engine must find, written as simply as it can be said, so that the engine's own
# automaton is checked against something that has none.


def _reference_edge(edge_char: str, edge_mark: str, neighbour: str) -> bool:
    """Whether a keyword may start or end on ``edge_char``: a Chinese character only at a
    jieba word edge, a letter or digit only away from another one, anything else anywhere."""
    if is_chinese(edge_char):
        return edge_mark == "1"
    if word_char(edge_char):
        return not word_char(neighbour)
    return True


def _reference_find(keywords: list[tuple[str, str, object]], texts, edges, turns) -> dict:
    """Per owner, (turn, term, start, end) of every whole-word occurrence of ``keywords``
    ((keyword, term, owner) each), in turn order, then by end, the longest first."""
    wanted: dict[str, set] = {}
    for keyword, term, owner in keywords:
        key = " ".join(normalise(keyword).split())
        if key:
            wanted.setdefault(key, set()).add((owner, term))
    found: dict = {}
    for turn in turns:
        text, marks = texts[turn], edges[turn]
        spans = []
        for key in wanted:
            for start in range(len(text) - len(key) + 1):
                end = start + len(key)
                before = text[start - 1] if start > 0 else " "
                after = text[end] if end < len(text) else " "
                if (
                    text[start:end] == key
                    and _reference_edge(key[0], marks[start], before)
                    and _reference_edge(key[-1], marks[end], after)
                ):
                    spans.append((end, start, key))
        for end, start, key in sorted(spans):
            for owner, term in sorted(wanted[key], key=lambda said: (str(said[0]), said[1])):
                found.setdefault(owner, []).append((turn, term, start, end))
    return found


def _random_keywords(rng: random.Random, alphabet: str, n_words: int) -> list:
    words = {"".join(rng.choices(alphabet, k=rng.randint(1, 5))) for _ in range(n_words)}
    keywords = []
    for number, word in enumerate(sorted(words)):
        keywords.append((word, word, number % 7))
        keywords.append((word, word.upper(), number % 3))  # one keyword, several owners
    return keywords


def _index(keywords: list) -> KeywordIndex:
    index = KeywordIndex()
    for keyword, term, owner in keywords:
        index.add(keyword, term, owner=owner)
    return index


@pytest.mark.parametrize("alphabet", ["不行政投诉稍等请您a b1", "ab_1 .é", "𠮷野家 a我"])
def test_the_engine_finds_what_the_plain_reference_finds_in_random_texts(alphabet):
    rng = random.Random(5)
    keywords = _random_keywords(rng, alphabet, 60)  # few characters: many overlapping matches
    texts = [normalise("".join(rng.choices(alphabet, k=rng.randint(0, 40)))) for _ in range(200)]
    edges = [_random_edges(rng, len(t)) for t in texts]
    index = _index(keywords)

    for turns in (range(len(texts)), sorted(rng.sample(range(len(texts)), 30))):
        found = index.find_turns(texts, edges, turns)

        assert found == _reference_find(keywords, texts, edges, turns)
    assert sum(map(len, index.find_turns(texts, edges, range(len(texts))).values())) > 300


def test_the_engine_finds_what_the_plain_reference_finds_with_thousands_of_words():
    rng = random.Random(11)
    common = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年"
    keywords = _random_keywords(rng, common, 5000)
    texts = [normalise("".join(rng.choices(common, k=300))) for _ in range(20)]
    edges = list(map(word_edges, texts))

    found = _index(keywords).find_turns(texts, edges, range(20))

    assert found == _reference_find(keywords, texts, edges, range(20))
    assert found


def _by_sound(node) -> bool:
    return node.op == "keyword" and node.params.sound is not None


@pytest.mark.parametrize("pack_file", ["zh-service.yaml", "en-service.yaml"])
def test_the_engine_finds_what_the_plain_reference_finds_in_calls_of_a_shipped_pack(pack_file):
    pack = pack_module.load(RULES / pack_file)
    lines = [  # every turn of the pack's own test cases, to make calls from
        line
        for rule in pack.spec.rules
        for case in (*rule.tests.hit, *rule.tests.miss)
        if isinstance(case, str)
        for line in case.strip().splitlines()
    ]
    scopes = KeywordScopes()
    by_scope: dict = {}  # the pack's keywords as the reference takes them, by scope
    for rule in pack.rules:
        register_keywords(rule.when, scopes, pack.spec.synonyms)
        for node in rule.when.walk():
            if node.op == "keyword":
                said = by_scope.setdefault(node.scope_key, (node.params.window, []))[1]
                for group in node.params.terms():
                    for word in [*group, *pack.spec.synonyms.get(group[0], [])]:
                        said.append((word, group[0], node.key))
    rng = random.Random(3)
    found_any = 0
    for _ in range(40):
        conv = packtests.conversation("\n".join(rng.choices(lines, k=rng.randint(1, 60))))
        expected = {}
        for (role, *_), (window, said) in by_scope.items():
            turns = in_window(conv, conv.of_role(role), window)
            expected.update(_reference_find(said, conv.norms, conv.word_edges, turns))

        found = scopes.find_all(conv)

        # Conditions that also match by sound find what the text finds, and may find more.
        heard = {n.key for r in pack.rules for n in r.when.walk() if _by_sound(n)}
        assert {k: v for k, v in found.items() if k not in heard} == {
            k: v for k, v in expected.items() if k not in heard
        }
        assert all(set(expected.get(k, ())) <= set(found.get(k, ())) for k in heard)
        found_any += bool(found)
    assert found_any > 30
