"""Property-based API testing: schemathesis against our own OpenAPI description, in process.

Every operation gets a bounded number of generated requests (valid and
invalid ones); each response must not be a server error and must conform to
what the OpenAPI description declares (status code, content type, headers,
schema). The app runs in this process over ASGI on a populated SQLite log.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.python import asgi

from api.app import create_app
from api.auth import auth_message
from api.service import Settings
from ledger.keys import PASSPHRASE_ENV
from tests.api.support import register
from tests.support import ORIGIN, World, fixed_clock

# /v1/batches takes NDJSON: send generated strings as they are.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")

EXAMPLES = 30  # per operation and phase: the whole run stays well under a minute
SIGNED = {"/v1/entries", "/v1/batches"}  # operations whose valid input needs a real signature
ALTERNATE = itertools.count()


@pytest.fixture
def live_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str]]:
    """The API over a populated SQLite log, and an inspector's bearer token for it.

    Its lifespan runs in schemathesis' ASGI client, which ends it after each test
    (so the token is obtained anew for each operation).
    """
    monkeypatch.setenv(PASSPHRASE_ENV, "test passphrase")
    world = World.create(f"sqlite:///{tmp_path}/log.db", rulebook=True)
    inspector = register(world, "inspector", ["inspector"])
    world.add_findings(5)
    world.log.save(tmp_path / "log.key", b"test passphrase")
    world.close()
    app = create_app(
        Settings(
            world.url,
            tmp_path / "log.key",
            64 * 1024,
            clock=fixed_clock,
            private_store=f"sqlite:///{tmp_path}/private.db",
        )
    )
    with asgi.get_client(app) as client:
        nonce = client.post("/v1/auth/challenge").json()["nonce"]
        message = auth_message(ORIGIN, nonce, inspector.key_id)
        signature = base64.b64encode(inspector.sign_raw(message)).decode()
        grant = client.post(
            "/v1/auth/token",
            json={"key": inspector.key_id, "nonce": nonce, "signature": signature},
        )
    yield app, grant.json()["token"]
    asgi.shutdown_lifespans()  # closes the app's store


# The description as the app serves it (building the app touches no store).
schema = schemathesis.openapi.from_dict(
    create_app(Settings("sqlite:///unused.db", None, 1024)).openapi()
)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    # live_app is set up once per operation (one pytest item), not once per example: intended.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
    derandomize=True,
)
def test_no_server_error_and_every_answer_conforms(case: Any, live_app: tuple[Any, str]) -> None:
    app, token = live_app
    excluded = []
    if case.method == "POST" and case.path in SIGNED:
        # A schema cannot say "signed by a registered key": generated entries are refused
        # (400 bad signature, 422 wrong log, ...), which is right, not a rejected valid input.
        excluded.append(positive_data_acceptance)
    if case.path.startswith("/v1/private/") and next(ALTERNATE) % 2:
        # About half the private requests carry a valid inspector token, to get past the door.
        case.headers = {**(case.headers or {}), "authorization": f"Bearer {token}"}
    case.call_and_validate(app=app, excluded_checks=excluded)
