"""Property-based requests from the OpenAPI schema, with credentials valid and hostile alike:
never a 5xx."""

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from services.api.app import create_app

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())

VALID = "valid"  # stands for the admin's token, which exists only once the test runs
# What header bytes a client can send: Latin-1 (ASGI servers decode headers so), no line breaks.
HEADER_TEXT = st.text(
    st.characters(max_codepoint=255, exclude_categories=("Cc",)), max_size=40
).map(str.lstrip)  # a header value starts with a visible character, or is empty
TOKEN_ID = st.one_of(
    st.integers(min_value=-1, max_value=2**70).map(str),
    st.text(st.sampled_from("0123456789²³¹¼"), min_size=1, max_size=25),
)
HOSTILE = st.one_of(
    st.builds(
        lambda token_id, secret: {"Authorization": f"Bearer zj_{token_id}_{secret}"},
        TOKEN_ID,
        HEADER_TEXT,
    ),
    HEADER_TEXT.map(lambda text: {"Authorization": text}),
    HEADER_TEXT.map(lambda text: {"Authorization": f"Bearer {text}"}),
    HEADER_TEXT.map(lambda text: {"Cookie": f"zhijian_session={text}"}),
    st.builds(
        lambda secret, csrf: {"Cookie": f"zhijian_session={secret}", "X-CSRF-Token": csrf},
        HEADER_TEXT,
        HEADER_TEXT,
    ),
    HEADER_TEXT.map(lambda text: {"X-Zhijian-Webhook-Secret": text}),
)
# Two in three examples carry the admin's token, so that most reach the endpoint itself.
CREDENTIALS = st.one_of(
    st.just({"Authorization": VALID}), st.just({"Authorization": VALID}), HOSTILE
)


@schema.parametrize()
@schema.given(credentials=CREDENTIALS)
# No explicit phase: the schema's own examples cannot carry the drawn credentials.
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.generate, Phase.shrink],
)
def test_no_request_makes_the_server_fail(case, credentials, admin_token):
    headers = {
        name: f"Bearer {admin_token}" if value == VALID else value
        for name, value in credentials.items()
    }

    response = case.call(headers=headers)

    assert response.status_code < 500, (
        case.method,
        case.formatted_path,
        headers,
        response.text[:500],
    )
