"""Who is the agent on a mono recording: the greeting script, service language, who answers an
inbound call; below the confidence threshold the roles stay unknown, with the reason."""

from models.speaker import roles as role_model
from services.speech.roles import Utterance, decide

CALL = [
    Utterance(1, 0.5, 3.0, "您好，工号二三五七为您服务，请问有什么可以帮您"),
    Utterance(0, 3.5, 6.0, "我想查一下上个月的账单"),
    Utterance(1, 6.5, 9.0, "好的，请您稍等，我帮您查询一下"),
    Utterance(0, 9.5, 11.0, "好的谢谢"),
]


def test_the_voice_that_says_the_greeting_script_is_the_agent():
    decision = decide(CALL, separable=True, inbound=True, threshold=0.8)

    assert decision.method == "voices" and decision.agent_voice == 1
    assert decision.confidence >= 0.95
    assert "greeting script" in decision.reason and "speaks first" in decision.reason


def test_service_language_alone_can_decide_without_a_script():
    plain = [
        Utterance(0, 0.0, 2.0, "我的宽带又断了，你们什么时候来修"),
        Utterance(1, 2.5, 5.0, "非常抱歉给您带来不便，我马上帮您登记报修"),
        Utterance(0, 5.5, 7.0, "要多久才能修好"),
        Utterance(1, 7.5, 10.0, "师傅会在二十四小时内联系您，请您保持电话畅通"),
    ]

    decision = decide(plain, separable=True, inbound=None, threshold=0.8)

    assert decision.agent_voice == 1, decision.reason


def test_weak_cues_leave_the_roles_unknown_with_the_reason():
    vague = [Utterance(0, 0.0, 1.0, "好的"), Utterance(1, 1.5, 2.5, "嗯，对")]

    decision = decide(vague, separable=True, inbound=None, threshold=0.8)

    assert decision.method == "none" and decision.agent_voice is None
    assert decision.reason.startswith("roles unclear") and "< 0.80" in decision.reason


def test_one_voice_gets_roles_utterance_by_utterance_from_its_words():
    one_voice = [Utterance(0, u.start, u.end, u.text) for u in CALL]

    decision = decide(one_voice, separable=False, inbound=True, threshold=0.7)

    assert decision.method == "text"
    assert [role for role, _ in decision.per_utterance] == [
        "agent",
        "customer",
        "agent",
        "customer",
    ]
    assert "too alike" in decision.reason


def test_one_voice_with_ambiguous_words_stays_unknown():
    one_voice = [Utterance(0, 0.0, 1.0, "好的"), Utterance(0, 1.5, 2.5, "嗯，对")]

    decision = decide(one_voice, separable=False, inbound=None, threshold=0.8)

    assert decision.method == "none" and "too alike" in decision.reason


def test_no_words_no_roles():
    decision = decide([Utterance(0, 0.0, 1.0, "")], separable=True, inbound=True, threshold=0.8)

    assert decision.method == "none" and "no words" in decision.reason


def test_the_role_classifier_learns_from_the_packs_own_test_lines():
    texts, labels, _ = role_model.read_data()

    assert "这个不归我管，你去找别人吧" in texts  # an agent line of the Chinese pack's tests
    assert labels[texts.index("这个不归我管，你去找别人吧")] == "agent"
    assert set(labels) == {"agent", "customer"}
