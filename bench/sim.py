"""The war game's engine against Covasim 3.1, Covasim 4 and Starsim, on the same workload.

    python bench/sim.py [--people 100000 1000000] [--days 60] [--big 5000000] [--skip-peers]

Each model runs in a process of its own (the peers in their own virtual environments under
bench/.venvs/, made on first use: `covasim==3.1.9`, `covasim==4.0.1`, `starsim==3.7.2`,
never run-time dependencies of Fangkong). Workloads, at each population size, 60 days:

- free: a comparable disease (calibrated so each model infects about a quarter of 100,000
  people in 60 days; one infection per 10,000 people at the start), no interventions;
- response: the same with testing, tracing and quarantine (Covasim's test_prob and
  contact_tracing; ours: fever clinics, tracing with capacity, rooms, zones, from cn-8).
  Starsim has no testing or tracing of its own, so it runs the free workload only.

Each model's cumulative infections are printed so the reader can see the workloads match.
Speed is agent-days per second of the run (building the population timed apart); memory is
the process's peak RSS over its RSS before the model was built, per agent. Our engine is
compiled by numba on first use and cached; a small warm-up run loads the cache first."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENVS = HERE / ".venvs"
# Calibrated so each model infects about a quarter of 100,000 people in 60 days unchecked:
# ours R0 3.25 (network), Covasim's default hybrid population, Starsim SIR beta 0.028 on 8
# random contacts for 8 days.
R0 = 3.25
PEERS = {"covasim3": ("cv3", "covasim==3.1.9"), "covasim4": ("cv4", "covasim==4.0.1"),
         "starsim": ("ss", "starsim==3.7.2")}  # fmt: skip


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return rss_mib()


# -- the children: one model, one workload, one JSON line -------------------------------------


def run_ours(people: int, days: int, response: bool) -> dict[str, float]:
    from fangkong.sim.run import simulate
    from fangkong.sim.scenario import check_scenario

    def scenario(n: int) -> object:
        return check_scenario(
            {
                "city": {"people": n},
                "days": days,
                "seed": 1,
                "protocol": "cn-8",
                "disease": {"r0": R0},
                "seeding": {"initial_infections": max(1, n // 10_000)},
                "interventions": response,
                # A response about as strong as Covasim's test_prob + contact_tracing below
                # (similar infections): half the contacts found, two days late, few rooms.
                "response": {
                    "rooms": max(100, n // 2_000),
                    "tracing_per_day": max(100, n // 2_000),
                    "found_fraction": 0.5,
                    "trace_delay_days": 2,
                    "zones": False,
                    "companions_per_case": 0,
                },
            }
        )

    simulate(scenario(20_000))  # load the compiled engine from numba's cache
    base = current_rss_mib()
    started = time.perf_counter()
    result = simulate(scenario(people))  # type: ignore[arg-type]
    total = time.perf_counter() - started
    return {
        "build": result.build_seconds,
        "run": result.run_seconds,
        "total": total,
        "infections": float(result.column("cum_infections")[-1]),
        "peak_mib": rss_mib() - base,
    }


def run_covasim(people: int, days: int, response: bool) -> dict[str, float]:
    import covasim as cv

    cv.options.set(verbose=0, show=False)
    base = current_rss_mib()
    interventions = []
    if response:
        interventions = [
            cv.test_prob(symp_prob=0.2, asymp_prob=0.001, symp_quar_prob=1.0, asymp_quar_prob=1.0),
            cv.contact_tracing(trace_probs=dict(h=1.0, s=0.5, w=0.5, c=0.1), trace_time=1),
        ]
    pars = dict(
        pop_size=people,
        pop_type="hybrid",
        pop_infected=max(1, people // 10_000),
        n_days=days,
        rand_seed=1,
        verbose=0,
        interventions=interventions,
    )
    started = time.perf_counter()
    sim = cv.Sim(pars)
    sim.initialize()
    built = time.perf_counter()
    sim.run()
    done = time.perf_counter()
    return {
        "build": built - started,
        "run": done - built,
        "total": done - started,
        "infections": float(sim.results["cum_infections"][-1]),
        "peak_mib": rss_mib() - base,
    }


def run_starsim(people: int, days: int, response: bool) -> dict[str, float]:
    import starsim as ss

    base = current_rss_mib()
    started = time.perf_counter()
    sim = ss.Sim(
        n_agents=people,
        start=0,
        stop=days,
        dt=1,
        rand_seed=1,
        diseases=ss.SIR(beta=0.028, init_prev=max(1, people // 10_000) / people, dur_inf=8),
        networks=ss.RandomNet(n_contacts=8),
        verbose=0,
    )
    sim.init()
    built = time.perf_counter()
    sim.run()
    done = time.perf_counter()
    res = sim.results.sir
    infections = float(res.n_infected[-1] + res.n_recovered[-1])
    return {
        "build": built - started,
        "run": done - built,
        "total": done - started,
        "infections": infections,
        "peak_mib": rss_mib() - base,
    }


CHILDREN = {"ours": run_ours, "covasim3": run_covasim, "covasim4": run_covasim,
            "starsim": run_starsim}  # fmt: skip


# -- the parent: environments, runs, the table ------------------------------------------------


def python_for(model: str) -> str | None:
    if model == "ours":
        return sys.executable
    folder, requirement = PEERS[model]
    venv = VENVS / folder
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"setting up {requirement} in {venv} …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        done = subprocess.run([str(venv / "bin/pip"), "install", "-q", requirement], check=False)
        if done.returncode != 0:
            return None
    return str(python)


def child(model: str, people: int, days: int, response: bool) -> dict[str, float] | None:
    python = python_for(model)
    if python is None:
        return None
    cmd = [python, __file__, "--child", model, "--people", str(people), "--days", str(days)]
    if response:
        cmd.append("--response")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3_000, check=False)
    if done.returncode != 0:
        print(f"{model} failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--big", type=int, default=5_000_000, help="ours alone, full response")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--response", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child != "ours":
            sys.path = [p for p in sys.path if Path(p).resolve() != HERE.parent]
        out = CHILDREN[args.child](args.people[0], args.days, args.response)
        print(json.dumps(out))
        return
    models = ["ours"] if args.skip_peers else ["ours", "covasim3", "covasim4", "starsim"]
    rows = []
    for people in args.people:
        for response in (False, True):
            for model in models:
                if model == "starsim" and response:
                    continue
                print(f"{model:9s} {people:>10,} {'response' if response else 'free':8s} …",
                      file=sys.stderr, flush=True)  # fmt: skip
                got = child(model, people, args.days, response)
                if got is not None:
                    rows.append((people, response, model, got))
    if args.big:
        got = child("ours", args.big, args.days, True)
        if got is not None:
            rows.append((args.big, True, "ours", got))
    head = ("people", "workload", "model", "build s", "run s", "agent-days/s", "B/agent")
    print(
        f"{head[0]:>10} {head[1]:8} {head[2]:9} {head[3]:>8} {head[4]:>8} {head[5]:>13} "
        f"{head[6]:>8} {'infections':>11} {'vs fastest peer':>15}"
    )
    for people, response, model, got in rows:
        rate = people * args.days / got["run"]
        peers = [
            p[3]["run"] for p in rows
            if p[0] == people and p[1] == response and p[2] != "ours"
        ]  # fmt: skip
        ratio = f"{min(peers) / got['run']:.1f}x" if model == "ours" and peers else ""
        print(
            f"{people:>10,} {'response' if response else 'free':8} {model:9} "
            f"{got['build']:8.2f} {got['run']:8.2f} {rate:>13,.0f} "
            f"{got['peak_mib'] * 2**20 / people:8.0f} {got['infections']:>11,.0f} {ratio:>15}"
        )


if __name__ == "__main__":
    main()
