"""A notification reads in its reader's language: in the API by the request's language, on the
webhook in the recipient's (else the default language)."""

from fastapi.testclient import TestClient

from services.api.app import create_app
from services.i18n import N_
from services.notifications import service as notify
from tests import factories


def test_a_notification_is_read_in_chinese_or_english(db_session):
    agent, token = factories.user(db_session, "agent", agent_id=factories.unique("LANG"))
    notify.add(
        db_session=db_session,
        kind=notify.TIER_REACHED,
        user_ids=[agent.id],
        subject={"call_id": 9},
        message=N_(
            "Agent {agent_id} reached {tier} on {category} (call {call_id}).",
            agent_id=agent.agent_id,
            tier=N_("deduction"),
            category="forbidden_phrase",
            call_id=9,
        ),
    )
    db_session.commit()
    client = TestClient(create_app(), headers={"Authorization": f"Bearer {token}"})

    def read(language: str) -> str:
        answer = client.get("/api/v1/notifications", headers={"Accept-Language": language})
        assert answer.status_code == 200, answer.text
        return str(answer.json()[0]["message"])

    assert read("en") == f"Agent {agent.agent_id} reached deduction on forbidden_phrase (call 9)."
    assert (
        read("zh-CN") == f"坐席 {agent.agent_id} 因 forbidden_phrase 达到「经济扣分」（通话 9）。"
    )
    note = notify.mine(db_session=db_session, user_id=agent.id, unread=False, limit=1)[0]
    assert note.message.startswith("Agent ")  # stored in English beside its wording
    assert notify.text_of(note, "zh_CN").startswith("坐席 ")
