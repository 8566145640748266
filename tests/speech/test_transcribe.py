"""Turn building: times from real speech, roles from channels, no words without speech."""

import numpy as np
import pytest

from services.errors import BadRecording
from services.speech.audio import DecodedAudio
from services.speech.service import parties
from services.speech.transcribe import Word, build_turns
from services.text.normalise import simplified


def test_words_far_from_any_speech_are_dropped_as_hallucinations():
    regions = [(1.0, 3.0), (10.0, 12.0)]
    words = [
        Word(" hello", 1.1, 1.5, 0.9),
        Word(" there", 1.6, 2.9, 0.9),
        Word(" thanks", 6.0, 6.5, 0.5),  # over silence
        Word(" bye", 10.2, 11.8, 0.9),
    ]

    turns = build_turns(words, regions, role="agent", channel=0, pause_s=0.8)

    assert [(t.text, t.start, t.end) for t in turns] == [
        ("hello there", 1.0, 3.0),
        ("bye", 10.0, 12.0),
    ]


def test_turn_times_come_from_speech_regions_not_drifting_word_times():
    words = [Word("您好", 0.1, 0.6, 0.9), Word("再见", 5.3, 5.9, 0.9)]

    turns = build_turns(words, [(0.45, 1.2), (5.0, 6.1)], role="customer", channel=1, pause_s=0.8)

    assert [(t.start, t.end) for t in turns] == [(0.45, 1.2), (5.0, 6.1)]
    assert turns[0].text == "您好"


def test_short_pauses_stay_inside_one_turn():
    words = [Word(" one", 0.0, 0.5, 1.0), Word(" two", 0.9, 1.3, 1.0)]

    turns = build_turns(words, [(0.0, 0.5), (0.9, 1.3)], role="agent", channel=0, pause_s=0.8)

    assert len(turns) == 1 and turns[0].text == "one two"


def test_traditional_characters_become_simplified():
    assert simplified("請問還有什麼需要幫助的嗎") == "请问还有什么需要帮助的吗"
    assert simplified("Hello 123") == "Hello 123"


def _audio(channels: int) -> DecodedAudio:
    return DecodedAudio(np.zeros((channels, 16000), dtype=np.float32), 8000, channels)


def test_channel_map_assigns_roles_and_mono_is_unknown():
    assert [(p.role, p.channel) for p in parties(_audio(2), None)] == [
        ("agent", 0),
        ("customer", 1),
    ]
    assert [(p.role, p.channel) for p in parties(_audio(2), {"agent": 1, "customer": 0})] == [
        ("agent", 1),
        ("customer", 0),
    ]
    assert [p.role for p in parties(_audio(1), None)] == ["unknown"]
    assert [p.role for p in parties(_audio(2), {})] == ["unknown"]


def test_channel_map_beyond_the_recording_is_a_bad_recording():
    with pytest.raises(
        BadRecording, match="puts the customer on channel 1, but the recording has 1 channel"
    ):
        parties(_audio(1), {"agent": 0, "customer": 1})


def test_a_sentence_start_stamped_in_the_gap_goes_to_the_speech_after_it():
    regions = [(0.5, 5.0), (5.8, 9.0)]
    words = [
        Word(" help", 4.0, 4.6, 0.9),
        Word(" today?", 4.6, 4.95, 0.9),
        Word(" Of", 5.1, 5.4, 0.9),  # in the gap, nearer the earlier speech
        Word(" course,", 5.9, 6.3, 0.9),
    ]

    turns = build_turns(words, regions, role="agent", channel=0, pause_s=0.5)

    assert [t.text for t in turns] == ["help today?", "Of course,"]


def test_speech_whisper_passed_over_is_recognised_again_on_its_own(whisper):
    from services.speech.transcribe import recover_skipped, speech_regions
    from tests.synth import en_lines, mix

    # The last words of a call, as Whisper skipped them; a lone "Goodbye." is misheard on
    # some CPUs ("Don't buy"), so there is more of it to hear.
    lines = en_lines(
        [
            ("customer", "Thank you for your help.", 0.5),
            ("customer", "Goodbye, have a nice day.", 3.5),
        ]
    )
    samples = mix(lines, stereo=False)[0]
    regions = speech_regions(samples)
    said = [Word(" Thank", 0.6, 0.9, 0.9), Word(" help.", 1.5, 1.9, 0.9)]  # the first line only

    found = recover_skipped(whisper, samples, regions, said, language="en", beam_size=5)

    assert "goodbye" in "".join(w.text for w in found).lower()
    assert all(lines[1].start - 0.5 <= w.start and w.end <= lines[1].end + 0.5 for w in found)
    heard_all = [*said, Word(" Goodbye,", lines[1].start, lines[1].end, 0.9)]
    assert recover_skipped(whisper, samples, regions, heard_all, language="en", beam_size=5) == []


def test_the_parties_of_a_call_are_decoded_at_the_same_time(whisper, monkeypatch):
    import threading
    import time

    from services.speech.transcribe import Party, transcribe_parties
    from tests.synth import en_lines, mix

    lines = en_lines(
        [
            ("agent", "Thank you for calling, how can I help you today?", 0.5),
            ("customer", "I would like to check the balance of my account.", 4.0),
        ]
    )
    audio = mix(lines)
    decodings: list[tuple[int, float, float]] = []
    decode = whisper.generate_with_fallback

    def timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return decode(*args, **kwargs)
        finally:
            decodings.append((threading.get_ident(), began, time.perf_counter()))

    monkeypatch.setattr(whisper, "generate_with_fallback", timed)

    turns, _ = transcribe_parties(
        whisper,
        [Party("agent", 0, audio[0]), Party("customer", 1, audio[1])],
        language="en",
        beam_size=5,
        pause_s=0.8,
    )

    assert {t.role for t in turns} == {"agent", "customer"}
    assert "balance" in " ".join(t.text for t in turns if t.role == "customer").lower()
    assert len({thread for thread, _, _ in decodings}) == 2, decodings
    overlap = any(
        one != other and began < other_ended and other_began < ended
        for one, began, ended in decodings
        for other, other_began, other_ended in decodings
    )
    assert overlap, f"one party waited for the other: {decodings}"
    # Side by side in the model too, not one after the other behind a lock.
    assert whisper.model.num_workers == 2
