"""The response in the war game runs on the protocol and the capacities it is given."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from fangkong.cli import app
from fangkong.core.errors import InvalidInput
from fangkong.protocol.loader import get_protocol
from fangkong.sim.run import RunResult, rules_of, simulate
from fangkong.sim.scenario import check_scenario


def run(**data: object) -> RunResult:
    base: dict[str, object] = {
        "city": {"people": 200_000},
        "days": 60,
        "seed": 3,
        "disease": {"r0": 3.0},
        "seeding": {"initial_infections": 30},
    }
    return simulate(check_scenario({**base, **data}))


def test_the_rules_come_from_the_protocol_files() -> None:
    eighth, ninth = rules_of(get_protocol("cn-8")), rules_of(get_protocol("cn-9"))
    assert (eighth.close_days, eighth.zone_days) == (14, 14)  # 14 d central; 14 d sealed
    assert (ninth.close_days, ninth.zone_days) == (7, 10)  # 7 d; high 7 d, then medium 3 d
    assert list(eighth.test_days[0][:4]) == [1, 4, 7, 14]


def test_the_response_contains_what_runs_free() -> None:
    free, answered = run(interventions=False), run()
    assert answered.column("cum_infections")[-1] < free.column("cum_infections")[-1] / 5
    assert answered.column("cum_detected")[-1] > 0
    assert answered.column("traced").sum() > 0
    assert answered.column("sealed_cells").max() > 0


def test_rooms_run_out_and_the_rest_quarantine_at_home() -> None:
    few = run(response={"rooms": 50})
    assert few.column("rooms_used").max() <= 50
    assert few.column("in_home_quarantine").max() > 0
    plenty = run(response={"rooms": 1_000_000})
    assert plenty.column("in_home_quarantine").max() == 0


def test_a_screening_round_uses_a_tube_per_pool() -> None:
    screened = run(response={"screening_days": [10], "pool_size": 10, "lab_tubes_per_day": 5_000})
    tests = screened.column("tests_used")
    jump = tests[10] - tests[9]
    assert 20_000 <= jump <= 20_000 + 2_000  # 200,000 people in tubes of 10, plus retests
    # The lab tests 5,000 tubes a day: four days to clear the round.
    assert [round(b / 1_000) for b in screened.column("lab_backlog")[10:15]] == [15, 10, 5, 0, 0]


def test_a_slower_trace_costs_infections() -> None:
    quick, slow = run(), run(response={"trace_delay_days": 4, "tracing_per_day": 50})
    assert slow.column("cum_infections")[-1] > quick.column("cum_infections")[-1]


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"response": {"rooms": -1}}, ("response", "rooms")),
        ({"response": {"found_fraction": 1.5}}, ("response", "found_fraction")),
        ({"disease": {"asymptomatic_fraction": 2}}, ("disease", "asymptomatic_fraction")),
        ({"protocol": "cn-7"}, ("protocol",)),
        ({"variant": "alpha"}, ("variant",)),
        ({"city": {"people": 1_000_000_000}}, ("city", "people")),
        ({"response": {"helicopters": 3}}, ("response", "helicopters")),
    ],
)
def test_bad_scenarios_are_named_by_key(data: dict[str, object], where: tuple[str, ...]) -> None:
    scenario: dict[str, object] = {"city": {"people": 10_000}, **data}
    with pytest.raises(InvalidInput) as error:
        check_scenario(scenario)
    assert error.value.problems[0].loc == where


def test_the_validation_run_from_the_command_line(tmp_path: object) -> None:
    from pathlib import Path

    out = Path(str(tmp_path)) / "run.csv"
    result = CliRunner().invoke(
        app,
        [
            "sim", "run", "--people", "50000", "--days", "30", "--mixing", "homogeneous",
            "--r0", "2.5", "--no-interventions", "--seed", "4", "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    header = lines[0].replace('"', "").split(",")
    assert header[0] == "day" and "cum_infections" in header
    cum = np.array([int(line.split(",")[header.index("cum_infections")]) for line in lines[1:]])
    assert len(cum) == 30 and (np.diff(cum) >= 0).all() and cum[-1] > cum[0]
    refused = CliRunner().invoke(
        app, ["sim", "run", "--people", "50000", "--out", str(tmp_path) + "/x.txt"]
    )
    assert refused.exit_code == 1 and "out" in refused.output
