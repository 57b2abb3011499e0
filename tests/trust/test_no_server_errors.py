"""Zero server errors: Schemathesis generates requests from the whole OpenAPI — valid and
not, in every parameter and body — and sends them as each of the demo's roles. No answer may
be a 5xx. Bounded: a few examples an operation and role, drawn the same way every run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy
from schemathesis.core.result import Ok

from tests.web.demo_client import ROLES, Demo, served_demo, sign_in

EXAMPLES = 3
# Signing out would end the role's session for the rest of the run (it is tested on its own).
# Logout would end the roles' sessions; an event stream lasts as long as its screen (its
# refusals are tested in tests/command/test_events.py).
SKIP = {("POST", "/api/auth/logout"), ("GET", "/api/events")}


@pytest.fixture(scope="module")
def demo(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with served_demo(demo_data, tmp_path_factory.mktemp("fuzz")) as served:
        yield served


def probe(
    strategy: SearchStrategy[Any], headers: dict[str, str], role: str, errors: list[str]
) -> int:
    """Send the operation's examples as one role; note every 5xx. How many were sent."""
    sent = 0

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=strategy)
    def one(case: Any) -> None:
        nonlocal sent
        answer = case.call(headers=headers)
        sent += 1
        if answer.status_code >= 500:
            errors.append(
                f"{role} {case.method} {case.formatted_path} {case.query} "
                f"{str(case.body)[:200]} -> {answer.status_code} {answer.text[:300]}"
            )

    one()
    return sent


def test_no_operation_answers_a_server_error(demo: Demo) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", demo.client.app)
    operations = [op.ok() for op in schema.get_all_operations() if isinstance(op, Ok)]
    headers = {role: sign_in(demo, role) for role in ROLES}
    errors: list[str] = []
    sent = 0
    for operation in operations:
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        strategy = operation.as_strategy()
        for role in sorted(ROLES):
            sent += probe(strategy, headers[role], role, errors)
    print(f"{sent} requests over {len(operations)} operations")
    assert not errors, "\n".join(errors[:30])
