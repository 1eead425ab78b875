"""How long a command takes to start and answer on a small store, against `python -c pass`.

Every command pays for Python's start and for the imports it needs before doing anything,
which is what a person notices at every `--help` or look at a small store. Each command
runs as a real process, the way a person runs it; the commands and the baseline (a bare
`python -c pass` of the same interpreter) take turns within each round, so a machine busy
with other work slows them alike, and the median of the rounds is reported, with the
median ratio to the baseline of the same round. The CPU seconds each process used (user
and system) are reported too: on a shared machine they vary far less than wall time. The small
store holds the example reports (ingested and extracted once, before timing). The target
for `--help` and for reading a small store is 0.5 s. A row for importing just the libraries
every store command needs (SQLAlchemy's Core, pydantic, Typer, Rich) shows the floor.

On a machine that other work keeps busy, even CPU seconds swell with the load (shared
caches, a shared core). ``--instructions`` counts instead the machine instructions each
command executes (Valgrind's callgrind, one run each after a warm-up, about a minute per
command): the same on a busy machine as on an idle one, so a change shows as itself.

With ``--before SRC`` each PeaceTrack command also runs on the package in ``SRC`` (another
commit's ``src`` folder, by ``PYTHONPATH``), in the same rounds: a change is then measured
against its own before under the same load, not against a run made at another time.

    .venv/bin/python benchmarks/bench_startup.py [--repeats 7] [--db SMALL.db] [--markdown]
    .venv/bin/python benchmarks/bench_startup.py --instructions [--db SMALL.db]
    PYTHONPATH=src .venv/bin/python benchmarks/bench_startup.py --before /tmp/old/src
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "reports"
TARGET_S = 0.5
BASELINE = "python -c pass"
#: What any command on a store must import whatever PeaceTrack does: the floor to compare with.
#: SQLAlchemy's Core, not its ORM: reads query the tables on a connection, and only a
#: command that writes loads the ORM (issue #16; the floor up to then imported it).
LIBRARIES = "python -c 'import sqlalchemy, pydantic, typer, rich.console'"
#: The commands timed, each with the store appended where it takes one.
COMMANDS: dict[str, list[str]] = {
    "peacetrack --help": ["--help"],
    "peacetrack compare --help": ["compare", "--help"],
    "peacetrack codebook issues": ["codebook", "issues"],
    "peacetrack documents list --db SMALL.db": ["documents", "list", "--db"],
    "peacetrack claims --db SMALL.db": ["claims", "--db"],
    "peacetrack compare --db SMALL.db": ["compare", "--db"],
    "peacetrack timeline --db SMALL.db": ["timeline", "--db"],
    "peacetrack proposals list --db SMALL.db": ["proposals", "list", "--db"],
}


def small_store(folder: Path) -> Path:
    """The example reports, ingested and extracted into a new SQLite store."""
    from peacetrack.extract import get_extractor
    from peacetrack.extract.runner import extract_store
    from peacetrack.ingest import ingest
    from peacetrack.store import Store

    path = folder / "small.db"
    with Store.open(path) as store:
        ingest([EXAMPLES], store)
        extract_store(store, get_extractor("rules.v1"))
    return path


def peacetrack_command() -> list[str]:
    """The installed `peacetrack` script beside this interpreter (as a user runs it)."""
    script = Path(sys.executable).with_name("peacetrack")
    return [str(script)] if script.exists() else [sys.executable, "-m", "peacetrack"]


#: What marks a command run on the ``--before`` package.
BEFORE = " (before)"


def command_lines(db: Path, before: Path | None = None) -> dict[str, list[str]]:
    """Each timed command as argv, the baseline first; with ``before``, each PeaceTrack
    command once more, named with ``BEFORE``, for the package in that folder."""
    lines = {
        BASELINE: [sys.executable, "-c", "pass"],
        LIBRARIES: [sys.executable, "-c", "import sqlalchemy, pydantic, typer, rich.console"],
    }
    for name, args in COMMANDS.items():
        argv = [*peacetrack_command(), *args, *([str(db)] if args[-1] == "--db" else [])]
        lines[name] = argv
        if before is not None:
            lines[name + BEFORE] = ["env", f"PYTHONPATH={before}", *argv]
    return lines


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def environment(cwd: Path) -> dict[str, str]:
    """The commands' environment: bytecode and PeaceTrack's caches in a folder of the run's
    own (``cwd``), whatever the caller's ``PYTHONDONTWRITEBYTECODE`` (see ``timed``)."""
    env = os.environ | {
        "COLUMNS": "120",
        "NO_COLOR": "1",
        "PYTHONPYCACHEPREFIX": str(cwd / "bytecode"),
        "PEACETRACK_CACHE_DIR": str(cwd / "cache"),
    }
    for name in ("PEACETRACK_DB", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    return env


def prepared(argv: list[str], cwd: Path) -> tuple[list[str], dict[str, str]]:
    """The command and its environment; settings an ``env NAME=VALUE ...`` prefix gives (as
    ``command_lines`` writes a ``--before`` command) are put in the environment instead, so
    no extra program runs (and callgrind counts the command itself)."""
    env = environment(cwd)
    if argv[0] != "env":
        return argv, env
    rest = argv[1:]
    while "=" in rest[0]:
        name, _, value = rest.pop(0).partition("=")
        env[name] = value
    return rest, env


def timed(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run; a failing command is an error, not a fast figure.

    Bytecode is cached in a folder of the run's own (``cwd``), whatever the caller's
    ``PYTHONDONTWRITEBYTECODE``: with it set, every run would compile PeaceTrack's modules
    from source again, which an installed copy never does. PeaceTrack's own caches (the
    parsed codebook) go there too, so each run starts from none and warms them itself.
    """
    command, env = prepared(argv, cwd)
    cpu = _cpu_of_children()
    began = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')}")
    return elapsed, _cpu_of_children() - cpu


Times = dict[str, list[tuple[float, float]]]


def measure(lines: dict[str, list[str]], repeats: int, cwd: Path) -> Times:
    """(wall, CPU) seconds per command and round; each round runs every command once,
    starting at a different one, so no command always follows the same neighbour."""
    names = list(lines)
    times: Times = {name: [] for name in names}
    for _ in range(2):  # warm the file cache and the bytecode caches
        for name in names:
            timed(lines[name], cwd)
    for round_ in range(repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(timed(lines[name], cwd))
    return times


def rows(times: Times) -> list[dict[str, Any]]:
    """One row per command: median wall seconds, the median of its per-round ratio to the
    baseline of the same round, and its median CPU seconds; each PeaceTrack command with
    its target and whether it was met (``run_all --done-when``)."""
    base = [wall for wall, _ in times[BASELINE]]
    found = []
    for name, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        ratio = statistics.median(w / b for (w, _), b in zip(runs, base, strict=True))
        verdict = "within" if wall <= TARGET_S else "OVER"
        versus = {
            BASELINE: f"baseline ({len(runs)} rounds)",
            LIBRARIES: f"{ratio:.1f} x baseline; the floor of any command on a store",
        }.get(name, f"{ratio:.1f} x baseline; target {TARGET_S} s: {verdict}")
        targeted = name not in (BASELINE, LIBRARIES)
        found.append(
            {
                "benchmark": "startup",
                "measure": name,
                "value": round(wall, 3),
                "unit": "s median",
                "versus": f"{versus}; CPU {cpu:.3f} s, fastest {min(w for w, _ in runs):.3f} s",
                "target": f"<= {TARGET_S} s" if targeted else "",
                "met": wall <= TARGET_S if targeted else None,
            }
        )
    return found


def instructions(argv: list[str], cwd: Path) -> int:
    """Machine instructions one run executes, counted by callgrind after a warm-up run."""
    timed(argv, cwd)
    command, env = prepared(argv, cwd)
    counted = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command]
    done = subprocess.run(counted, cwd=cwd, env=env, capture_output=True)
    found = re.search(rb"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"{' '.join(argv)} under callgrind failed: {done.stderr[-2000:]!r}")
    return int(found.group(1))


def instruction_rows(lines: dict[str, list[str]], cwd: Path) -> list[dict[str, Any]]:
    """One row per command: instructions executed, against the baseline and the floor."""
    counts = {name: instructions(argv, cwd) for name, argv in lines.items()}
    found = []
    for name, count in counts.items():
        versus = {BASELINE: "baseline (callgrind, one run)"}.get(
            name,
            f"{count / counts[BASELINE]:.1f} x baseline, "
            f"{count / counts[LIBRARIES]:.2f} x the floor",
        )
        found.append(
            {
                "benchmark": "startup",
                "measure": name,
                "value": round(count / 1e9, 3),
                "unit": "G instructions",
                "versus": versus,
            }
        )
    return found


def run(
    repeats: int = 7, db: Path | None = None, *, count: bool = False, before: Path | None = None
) -> list[dict[str, Any]]:
    """The startup rows, on ``db`` or on a new small store of the example reports; with
    ``before``, rows for that package's commands too (see ``command_lines``)."""
    with tempfile.TemporaryDirectory(prefix="peacetrack-startup-") as tmp:
        folder = Path(tmp)
        store = db or small_store(folder)
        lines = command_lines(store, before)
        if count:
            return instruction_rows(lines, folder)
        return rows(measure(lines, repeats, folder))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--db", type=Path, help="a small store to read (default: examples)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions (needs valgrind)"
    )
    parser.add_argument(
        "--before", type=Path, help="also run each command on the package in this src folder"
    )
    args = parser.parse_args()
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind (apt-get install valgrind)")
    found = run(args.repeats, args.db, count=args.instructions, before=args.before)
    headers = ("measure", "value", "unit", "versus")
    if args.markdown:
        print("| " + " | ".join(headers) + " |\n|" + "---|" * len(headers))
        for row in found:
            print("| " + " | ".join(str(row[h]) for h in headers) + " |")
        return
    width = max(len(str(row["measure"])) for row in found)
    for row in found:
        print(f"{row['measure']:<{width}}  {row['value']:>6} {row['unit']}  {row['versus']}")


if __name__ == "__main__":
    main()
