from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from fangkong.cli import app
from fangkong.testing.pooling import advise_pool_size, pool_option
from tests.conftest import Login


@pytest.mark.parametrize(
    ("prevalence", "size", "tests"),
    [(0.01, 11, 0.1956), (0.001, 32, 0.0628), (0.05, 5, 0.4262)],  # Dorfman's classic optima
)
def test_perfect_assay_gives_dorfman(prevalence: float, size: int, tests: float) -> None:
    advice = advise_pool_size(
        prevalence, sensitivity=1.0, specificity=1.0, dilution_loss=0.0, min_sensitivity=0.0
    )
    assert advice.recommended.size == size
    assert advice.recommended.tests_per_person == pytest.approx(tests, abs=1e-4)


def test_dilution_caps_the_pool() -> None:
    loose = advise_pool_size(0.0005, dilution_loss=0.0, min_sensitivity=0.0)
    strict = advise_pool_size(0.0005, dilution_loss=0.03, min_sensitivity=0.80)
    assert strict.recommended.size < loose.recommended.size
    assert strict.recommended.sensitivity >= 0.80


def test_high_prevalence_means_single_tubes() -> None:
    assert advise_pool_size(0.4).recommended.size == 1


def test_pool_option_of_one_is_single_tubes() -> None:
    one = pool_option(1, prevalence=0.01, sensitivity=0.95, specificity=0.999, dilution_loss=0.02)
    assert (one.tests_per_person, one.sensitivity) == (1.0, 0.95)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 2.0])
def test_prevalence_out_of_range(bad: float) -> None:
    with pytest.raises(ValueError, match="prevalence"):
        advise_pool_size(bad)


def test_cli() -> None:
    result = CliRunner().invoke(app, ["testing", "pool-size", "--prevalence", "0.001"])
    assert result.exit_code == 0 and "混采比例" in result.output and "人均" in result.output
    bad = CliRunner().invoke(app, ["testing", "pool-size", "--prevalence", "2"])
    assert bad.exit_code != 0


def test_api(client: TestClient, login: Login) -> None:
    headers = login("viewer", None)
    body = client.get("/api/testing/pool-size", params={"prevalence": 0.01}, headers=headers).json()
    assert body["recommended"]["size"] == 11 and len(body["options"]) == 50
    assert (
        client.get(
            "/api/testing/pool-size", params={"prevalence": 1.5}, headers=headers
        ).status_code
        == 422
    )


def test_a_pool_too_diluted_to_find_anything_is_never_advised() -> None:
    advice = advise_pool_size(0.01, dilution_loss=0.5, min_sensitivity=0.0)
    assert advice.recommended.size == 1
