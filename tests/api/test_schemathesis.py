"""A property-based run of schemathesis against the OpenAPI schema (issue 11): whatever the
schema allows, or nearly allows, the API never answers 5xx. Bounded: a few examples per
operation, as the admin (every route lets the admin through), well under a minute."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from screening.app import create_app
from screening.service.uploads import UploadedFile, accept_upload
from screening.settings import EXAMPLES_DIR, Settings
from screening.store import create_user

_APP = create_app(Settings(data_dir=Path(tempfile.mkdtemp(prefix="schemathesis-")),
                           sign_in_limit_account="100000/minute",
                           sign_in_limit_address="100000/minute"))
_ENGINE = _APP.state.services.engine
_ADMIN = create_user(_ENGINE, "schemathesis-admin", "admin")
accept_upload(_APP.state.services, _ADMIN[0],
              UploadedFile("visits-with-errors.csv",
                           (EXAMPLES_DIR / "visits-with-errors.csv").read_bytes()))
HEADERS = {"Authorization": f"Bearer {_ADMIN[1]}"}
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_error_anywhere(case):
    response = case.call(headers=HEADERS)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    if response.status_code >= 400:
        assert response.json()["error"]["message"], "every failure in the one error shape"
