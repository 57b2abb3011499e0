"""Our alarms beside R's `surveillance` over the evaluation's simulated series (each scenario,
outbreaks of size k = 5 sd): EARS C1, C2, C3 day by day over the last year, Farrington-flexible
week by week. Needs R with r-cran-surveillance.

    python scripts/compare_with_r.py [--runs 20] [--seed 5] [--golden FILE]

--golden also keeps R's alarms as the test's reference (tests/data/surveillance/evaluation_r.csv,
written with --runs 1 --seed 5)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from fangkong.surveillance.evaluation import SCENARIOS, simulate
from fangkong.surveillance.parity import parity, read_r, write_for_r

HERE = Path(__file__).resolve().parent


def series_of(runs: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [simulate(s, 5.0, rng).counts for s in SCENARIOS for _ in range(runs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--golden", type=Path)
    args = parser.parse_args()
    series = series_of(args.runs, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        write_for_r(Path(folder), series)
        subprocess.run(["Rscript", str(HERE / "evaluation_reference.R"), folder], check=True)
        r = read_r(Path(folder) / "r_alarms.csv")
        if args.golden:
            shutil.copy(Path(folder) / "r_alarms.csv", args.golden)
    print(f"{len(series)} series ({args.runs} a scenario), seed {args.seed}")
    print("| method | judged | alarms both | ours only | R's only |\n|---|---|---|---|---|")
    for p in parity(series, r):
        print(f"| {p.method} | {p.judged} | {p.both} | {p.only_ours} | {p.only_r} |")


if __name__ == "__main__":
    main()
