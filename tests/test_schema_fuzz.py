"""Property-based requests from the OpenAPI schema, with a valid token: never a 5xx."""

import schemathesis
from hypothesis import HealthCheck, settings

from services.api.app import create_app

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_server_fail(case, admin_token):
    response = case.call(headers={"Authorization": f"Bearer {admin_token}"})

    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
