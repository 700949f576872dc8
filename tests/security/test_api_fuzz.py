"""Schemathesis over every operation in /openapi.json, anonymous and as an admin: never a 5xx.

The operations are read from the running server's schema, so routes added later are fuzzed too.
Each operation gets a bounded number of generated requests (valid and schema-violating), with a
fixed seed, so the test is repeatable and stays within a few minutes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as fuzz_settings
from hypothesis.errors import Unsatisfiable
from hypothesis.strategies import SearchStrategy
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case as AnyCase

from haechi.config import Settings
from tests.conftest import LiveServer, make_settings
from tests.security.fuzz_helpers import SERVICE_TOKEN, seed_for_fuzz

#: generated requests per operation and generation mode (HAECHI_FUZZ_EXAMPLES for a longer run)
EXAMPLES = int(os.environ.get("HAECHI_FUZZ_EXAMPLES", "8"))

Case = AnyCase[Any]


@dataclass
class Tally:
    sent: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    unsatisfiable: int = 0

    def record(self, case: Case, response: Response) -> None:
        self.sent += 1
        self.by_status[response.status_code] = self.by_status.get(response.status_code, 0) + 1
        if response.status_code >= 500 and len(self.errors) < 50:
            self.errors.append(f"{response.status_code} {case.as_curl_command()}")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, open_access=False, api_tokens=[SERVICE_TOKEN])


def _fuzz(server: LiveServer, headers: dict[str, str], tally: Tally) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json", timeout=30)
    session = requests.Session()
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            tally.errors.append(f"the schema has a broken operation: {result.err()}")
            continue
        operation = result.ok()
        for mode, examples in (
            (GenerationMode.POSITIVE, EXAMPLES),
            (GenerationMode.NEGATIVE, EXAMPLES // 2),
        ):
            strategy = operation.as_strategy(mode)
            _fuzz_operation(strategy, examples, server.url, session, headers, tally)


def _fuzz_operation(
    strategy: SearchStrategy[Case],
    examples: int,
    url: str,
    session: requests.Session,
    headers: dict[str, str],
    tally: Tally,
) -> None:
    @fuzz_settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Case) -> None:
        response = case.call(base_url=url, session=session, headers=headers, timeout=30)
        tally.record(case, response)

    try:
        run()
    except Unsatisfiable:  # nothing to break (no parameters): no schema-violating requests
        tally.unsatisfiable += 1


def _report(label: str, tally: Tally) -> str:
    codes = ", ".join(f"{k}: {v}" for k, v in sorted(tally.by_status.items()))
    quiet = f"{tally.unsatisfiable} operations with nothing to violate"
    return f"{label}: {tally.sent} requests; statuses {codes}; {quiet}"


@pytest.mark.slow
@pytest.mark.timeout(900)  # a few minutes on a busy 2-core machine
@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_no_server_errors_anywhere(
    who: str, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with LiveServer(settings) as server:
        token = seed_for_fuzz(server.app.state.container)
        headers = {"Authorization": f"Bearer {token}"} if who == "admin" else {}
        tally = Tally()
        _fuzz(server, headers, tally)
    with capsys.disabled():
        print("\n" + _report(who, tally))
    assert tally.sent > 0
    assert not tally.errors, "\n".join(tally.errors)
