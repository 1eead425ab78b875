"""Reading a store from the command line: pages for people, every row for programs, and a
start that imports only what the command uses (issues #11 and #16)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from peacetrack.cli import START_UP_S, app
from peacetrack.cli import claims as claims_cli
from peacetrack.cli.claims import PAGE
from peacetrack.cli.lean import invoked
from peacetrack.compare.export import COLUMNS, claim_record
from peacetrack.compare.render import csv_lines, json_array, records_csv, records_json
from peacetrack.model import Claim, Document, Stance
from peacetrack.store import Store, facets, queries
from test_imports import NOT_FOR_READS

runner = CliRunner()
CLAIMS = 45


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A store of ``CLAIMS`` claims, one sentence each, in three documents."""
    path = str(tmp_path / "reads.db")
    with Store.open(path) as store:
        for doc in range(3):
            sentences = [f"Russia demanded withdrawal number {doc}-{n}." for n in range(15)]
            added = store.add_document(Document(name=f"d{doc}.txt", text=" ".join(sentences)))
            claims = [
                Claim(actors=["RUS"], stance=Stance.DEMAND, issue="TER.WITHDRAW", evidence=s)
                for s in sentences
            ]
            store.save_extraction(added.document_id, "rules.v1", claims)
    return path


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_the_table_shows_a_page_and_where_it_lies(db: str) -> None:
    output = invoke("claims", "--db", db)
    assert output.count(".txt") == PAGE
    assert f"claims 1-{PAGE} of {CLAIMS}; next page: --offset {PAGE}" in output


def test_one_claim_is_counted_in_the_singular(tmp_path: Path) -> None:
    db = str(tmp_path / "one.db")
    with Store.open(db) as store:
        added = store.add_document(Document(name="one.txt", text="Russia demanded a truce."))
        claim = Claim(
            actors=["RUS"],
            stance=Stance.DEMAND,
            issue="CF.GENERAL",
            evidence="Russia demanded a truce.",
        )
        store.save_extraction(added.document_id, "rules.v1", [claim])
    assert invoke("claims", "--db", db).endswith("1 claim\n")
    out = tmp_path / "one.csv"
    assert "wrote 1 claim to" in invoke("claims", "--db", db, "--format", "csv", "-o", str(out))


def test_an_empty_matrix_says_how_to_widen_it(db: str) -> None:
    result = runner.invoke(app, ["compare", "--db", db, "--since", "2030-01-01"])
    assert result.exit_code == 0, result.output
    assert "no positions match these filters" in result.output


def test_the_table_does_not_wait_to_count_an_archive(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the first count (to a cap) the total gets a moment, not as long as reading
    every claim takes: the page line then says "more than"."""
    monkeypatch.setattr(facets, "COUNT_CAP", 10)
    monkeypatch.setattr(claims_cli, "COUNT_MS", 0)
    output = invoke("claims", "--db", db)
    assert output.count(".txt") == PAGE
    assert f"claims 1-{PAGE} of more than 10; next page: --offset {PAGE}" in output


def test_offset_and_limit_choose_the_page(db: str) -> None:
    output = invoke("claims", "--db", db, "--offset", "40")
    assert output.count(".txt") == 5
    assert f"claims 41-45 of {CLAIMS}" in output and "next page" not in output
    output = invoke("claims", "--db", db, "--limit", "100")
    assert output.count(".txt") == CLAIMS and f"{CLAIMS} claims" in output
    output = invoke("claims", "--db", db, "--offset", "50")
    assert f"no claims after the first 50 of {CLAIMS}" in output


def test_the_count_follows_the_filters(db: str) -> None:
    output = invoke("claims", "--db", db, "--document", "d1.txt")
    assert output.count("d1.txt") == 15 and "15 claims" in output


def test_machine_formats_give_every_claim_unless_limited(db: str) -> None:
    lines = invoke("claims", "--db", db, "--format", "jsonl").splitlines()
    assert len(lines) == CLAIMS
    assert len({json.loads(line)["id"] for line in lines}) == CLAIMS
    paged = invoke("claims", "--db", db, "--format", "jsonl", "--limit", "10", "--offset", "40")
    assert len(paged.splitlines()) == 5
    rows = invoke("claims", "--db", db, "--format", "csv").splitlines()
    assert len(rows) == CLAIMS + 1


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"limit": 10, "offset": 3},
        {"document": "d2.txt"},
        {"sort": "issue", "descending": False, "offset": 40},
        {"actors": ["UKR"]},
    ],
)
def test_streamed_claims_are_the_listed_ones_in_order(
    db: str, query: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "CHUNK", 7)  # several chunks, and a part-filled last one
    with Store.open(db) as store:
        listed = store.claims(**query)
        streamed = list(store.iter_claims(**query))
    assert [s.id for s in streamed] == [s.id for s in listed]
    assert streamed == listed


def test_text_made_piece_by_piece_is_the_whole_text(db: str) -> None:
    with Store.open(db) as store:
        claims = store.claims()
    records = [claim_record(c) for c in claims]
    assert "".join(json_array(records)) == records_json(records)
    assert "".join(json_array([])) == records_json([]) == "[]"
    assert "".join(csv_lines(records, COLUMNS)) == records_csv(records, COLUMNS)
    assert "".join(csv_lines([], COLUMNS)) == records_csv([], COLUMNS)


def test_an_export_file_is_written_as_the_claims_are_read(db: str, tmp_path: Path) -> None:
    out = tmp_path / "claims.jsonl"
    output = invoke("claims", "--db", db, "--format", "jsonl", "-o", str(out))
    assert f"wrote {CLAIMS} claims" in output
    assert len(out.read_text(encoding="utf-8").splitlines()) == CLAIMS


# --- start-up ----------------------------------------------------------------------------------

#: Runs the command line with the arguments it is given, then prints which of ``names`` it
#: imported.
LOADED = """
import contextlib, io, sys
from peacetrack.cli import main
sys.argv = ["peacetrack", *sys.argv[1:]]
with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
    main()
print(" ".join(sorted(m for m in {names!r} if m in sys.modules)))
"""


def loaded(names: tuple[str, ...], args: list[str]) -> str:
    """Which of ``names`` the command line imports in a new process to run ``args``."""
    code = LOADED.format(names=names)
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.slow
@pytest.mark.parametrize(
    "command", [["--help"], ["claims", "--help"], ["codebook", "issues"], ["--version"]]
)
def test_commands_without_a_store_load_neither_the_model_nor_the_database(
    command: list[str],
) -> None:
    """Help and the codebook need neither the claim models nor SQLAlchemy, which cost
    most of a store command's start (benchmarks/bench_startup.py measures the time)."""
    found = loaded(("peacetrack.model", "sqlalchemy"), command)
    assert found == "", f"`peacetrack {' '.join(command)}` imported {found}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "names"),
    [
        (["--help"], ("pydantic", "peacetrack.codebook", "peacetrack.vocabulary")),
        (["--version"], ("pydantic", "peacetrack.codebook", "peacetrack.vocabulary")),
        # Typer reads a command's options with pydantic: only the codebook can wait
        (["compare", "--help"], ("peacetrack.codebook", "peacetrack.vocabulary")),
    ],
)
def test_help_loads_neither_pydantic_nor_the_codebook(
    command: list[str], names: tuple[str, ...]
) -> None:
    """Help is text about the commands: the codebook and the models behind it (pydantic)
    load when a command runs, not when it is described."""
    found = loaded(names, command)
    assert found == "", f"`peacetrack {' '.join(command)}` imported {found}"


GC_AFTER_START = f"""
import contextlib, gc, io, sys, time
from peacetrack.cli import main
sys.argv = ["peacetrack", "--version"]
with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
    main()
print(gc.isenabled())
time.sleep({START_UP_S} + 0.5)
print(gc.isenabled())
"""


@pytest.mark.slow
def test_a_command_that_runs_longer_gets_the_cycle_collector_back() -> None:
    done = subprocess.run(
        [sys.executable, "-c", GC_AFTER_START], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "True"]


#: What only parsing and checking the codebook's files needs (pycountry's tables, the file
#: schemas): a warm cache spares a command all of it.
PARSING = ("pycountry", "peacetrack.codebook.builder", "peacetrack.codebook.tables")


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [["compare", "--db"], ["timeline", "--db"], ["claims", "--db"], ["codebook", "issues"]],
)
def test_with_the_codebook_cached_a_command_parses_no_codebook(db: str, command: list[str]) -> None:
    """The first run parses the codebook and caches it (in the session's folder, see
    conftest); the next reads the cache and loads none of the parsing machinery."""
    args = [*command, db] if command[-1] == "--db" else command
    loaded(PARSING, args)
    found = loaded(PARSING, args)
    assert found == "", f"`peacetrack {' '.join(args)}` loaded {found}"


def commands(typer_app: typer.Typer, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command of the app as the words that invoke it (`documents list`)."""
    group = get_command(typer_app)
    assert isinstance(group, typer.core.TyperGroup)
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        sub = next((g.typer_instance for g in typer_app.registered_groups if g.name == name), None)
        found += commands(sub, (*path, name)) if sub else [(*path, name)]
        assert command.name == name
    return found


def test_only_the_invoked_command_is_built_and_it_is_built_alike() -> None:
    """For every command: the lean app holds only the commands its words name (its group,
    in a group), and it with the same parameters, help and class as in the whole app."""
    whole = get_command(app)
    for path in commands(app):
        lean = get_command(invoked(app, [*path, "--db", "x.db"]))
        assert isinstance(lean, typer.core.TyperGroup) and path[0] in lean.commands
        assert set(lean.commands) <= set(path)  # `codebook conflicts` names two
        mine, theirs = lean, whole
        for word in path:
            assert isinstance(mine, typer.core.TyperGroup)
            assert isinstance(theirs, typer.core.TyperGroup)
            mine, theirs = mine.commands[word], theirs.commands[word]
        assert type(mine) is type(theirs)
        assert mine.help == theirs.help
        assert [described(p) for p in mine.params] == [described(p) for p in theirs.params]


def described(param: Any) -> tuple[Any, ...]:
    """What a parameter is to a user: its kind, flags, default, help and metavar."""
    fields = ("name", "opts", "secondary_opts", "required", "default", "nargs", "multiple")
    return (type(param), *(getattr(param, f, None) for f in (*fields, "envvar", "help", "metavar")))


@pytest.mark.parametrize("args", [[], ["--help"], ["comapre", "--db", "x.db"], ["--version"]])
def test_a_run_naming_no_command_gets_the_whole_app(args: list[str]) -> None:
    assert invoked(app, args) is app


def test_a_mistyped_subcommand_is_suggested_from_the_whole_group() -> None:
    result = runner.invoke(invoked(app, ["documents", "lst"]), ["documents", "lst"])
    assert result.exit_code != 0 and "list" in result.output


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "needs"),
    [
        (["compare", "--db"], ()),
        (["timeline", "--db"], ()),
        (["documents", "list", "--db"], ()),
        # the page line counts the claims with the facets' count
        (["claims", "--db"], ("peacetrack.store.facets",)),
        # listing proposals reads them on a connection; changing one loads the ORM
        (["proposals", "list", "--db"], ("peacetrack.store.proposals",)),
    ],
)
def test_a_read_loads_no_write_side_module(db: str, command: list[str], needs: tuple[str]) -> None:
    """Saving claims, near duplicates, review, search, exports and the HTML report load when
    a command uses them (tests/test_imports.py checks the packages themselves), and so does
    SQLAlchemy's ORM: a read queries the Core tables on a connection (issue #16)."""
    names = (*NOT_FOR_READS, "sqlalchemy.orm")
    found = loaded(tuple(m for m in names if m not in needs), [*command, db])
    assert found == "", f"`peacetrack {' '.join(command)}` loaded {found}"
