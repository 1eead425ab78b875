"""The command line, end to end, as a user runs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from peacetrack.cli import app
from peacetrack.cli.common import write_output
from peacetrack.model import Claim, Document, Stance
from peacetrack.store import Store

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

REPORTS = {
    "round-one.txt": (
        "Moscow sets terms at first round\n"
        "By A. Writer\n"
        "GENEVA — Russian negotiators demanded that Ukraine withdraw its troops from the "
        "Donetsk and Luhansk regions before any ceasefire, two officials familiar with the "
        "talks said on condition of anonymity.\n"
        "Kyiv rejected the demand as unacceptable, its delegation said.\n"
    ),
    "round-two.txt": (
        "Prisoner swap agreed\n"
        "Russia and Ukraine agreed to exchange 500 prisoners of war each, both delegations "
        "said after the second round of talks.\n"
    ),
}


def walk(command: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf command with its full name (Typer vendors click, so duck-type groups)."""
    name = f"{prefix} {command.name}".strip()
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for sub in subcommands.values():
            yield from walk(sub, name)
    else:
        yield name, command


def all_commands() -> list[tuple[str, Any]]:
    root = get_command(app)
    root.name = "peacetrack"
    return list(walk(root))


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, text in REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = all_commands()
    assert len(commands) >= 8
    for name, command in commands:
        assert (command.help or "").strip(), f"`{name}` has no help text"
        assert f"`{name}" in readme or f"{name} " in readme, f"`{name}` is not in README.md"
        code, output = invoke(*name.split()[1:], "--help")
        assert code == 0, output


PYTHON_TYPES = re.compile(r"<(?:str|int|float|bool|path|Path|list\[[^\]]*\])>|\{\w+\}")


def test_help_reads_like_a_person_wrote_it() -> None:
    """Metavars and words (FILE|URL, ID[,...], N, table|md), plain flags, SOURCE...: never
    Python type names such as <bool>, <list[str]> or {sources}."""
    for name, _command in [("peacetrack", None), *all_commands()]:
        code, output = invoke(*name.split()[1:], "--help")
        assert code == 0, output
        assert not PYTHON_TYPES.search(output), f"`{name} --help`:\n{output}"
    code, output = invoke("ingest", "--help")
    assert "SOURCE..." in output and "--no-follow-links" not in output
    code, output = invoke("claims", "--help")
    assert "ID[,...]" in output and "FILE|URL" in output


def test_help_paragraphs_are_wrapped_by_the_terminal_not_by_the_docstring() -> None:
    """A docstring's line breaks would leave ragged lines with orphan words: each paragraph
    is one line for Rich to wrap, so at 80 columns no help line stops short before a word
    that would have fitted on it."""
    for name, command in all_commands():
        help_text = command.help or ""
        assert all("\n" not in p for p in help_text.split("\n\n")), f"`{name}` help"
    code, output = invoke("ingest", "--help")
    assert code == 0, output
    assert "copies of one story" in " ".join(output.split())
    assert "of one\n" not in output


def test_version() -> None:
    code, output = invoke("--version")
    assert code == 0 and re.match(r"peacetrack \d+\.\d+", output)


def test_ingest_extract_claims(reports: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    code, output = invoke("ingest", str(reports), "--db", db)
    assert code == 0, output
    assert "added 2" in output
    code, output = invoke("ingest", str(reports), "--db", db)
    assert code == 0 and "added 0" in output and "already stored 2" in output

    code, output = invoke("documents", "list", "--db", db)
    assert code == 0 and "round-one.txt" in output
    code, output = invoke("documents", "show", "round-two.txt", "--db", db)
    assert code == 0 and "prisoners of war" in output

    code, output = invoke("extract", "--db", db)
    assert code == 0, output
    assert "claims from 2 documents (learned.v1)" in output  # the default extractor
    code, output = invoke("extract", "--db", db)
    assert code == 0 and "claims from 0 documents" in output

    code, output = invoke("claims", "--db", db, "--format", "jsonl")
    assert code == 0, output
    records = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert records, output
    assert {"TER.WITHDRAW", "HUM.DETAINEES"} <= {r["issue"] for r in records}
    assert all(r["evidence"] in REPORTS[r["document_name"]] for r in records)


def test_extract_paths_writes_guideline_jsonl(reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "pred.jsonl"
    code, output = invoke("extract", str(reports), "-o", str(out))
    assert code == 0, output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["doc"] for r in records) == sorted(REPORTS)
    for record in records:
        text = REPORTS[record["doc"]]
        for claim in record["claims"]:
            assert claim["evidence"] in text
            assert set(claim) <= {
                "actors", "stance", "issue", "obligor", "territories", "conditions",
                "recognition", "proposal", "attribution", "evidence",
            }  # fmt: skip


def test_extract_paths_that_read_nothing_is_an_error(tmp_path: Path) -> None:
    """Exit 1 and no output file, as for ingest: not a run that merely found no claims."""
    out = tmp_path / "pred.jsonl"
    code, output = invoke("extract", str(tmp_path / "gone.txt"), "-e", "rules.v1", "-o", str(out))
    assert code == 1 and "no such file" in output and "every input failed" in output
    assert not out.exists()
    (tmp_path / "empty").mkdir()
    code, output = invoke("extract", str(tmp_path / "empty"), "-e", "rules.v1")
    assert code == 1 and "no report file found" in output


def test_unknown_extractor_is_a_clear_error(reports: Path) -> None:
    code, output = invoke("extract", str(reports), "--extractor", "nope.v9")
    assert code == 1
    assert "no extractor named 'nope.v9'" in output and "rules.v1" in output


def test_unknown_document_is_a_clear_error(evil_db: str) -> None:
    code, output = invoke("documents", "show", "missing.txt", "--db", evil_db)
    assert code == 1 and "missing.txt" in output


@pytest.mark.parametrize(
    "command",
    [
        ["documents", "list"],
        ["documents", "show", "1"],
        ["claims"],
        ["compare"],
        ["diff", "RUS", "UKR"],
        ["timeline"],
        ["report", "-o", "report.html"],
        ["proposals", "list"],
        ["proposals", "show", "1"],
        ["proposals", "rename", "1", "New name"],
        ["serve"],
    ],
)
def test_reading_a_store_that_does_not_exist_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """A typo in --db must not read as an empty record, nor leave an empty store behind."""
    monkeypatch.chdir(tmp_path)
    typo = tmp_path / "typo.db"
    code, output = invoke(*command, "--db", str(typo))
    assert code == 1, output
    assert f"no store at {typo}" in output and "peacetrack ingest" in output
    assert not typo.exists() and not (tmp_path / "report.html").exists()


def test_commands_that_store_create_the_store(reports: Path, tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    code, output = invoke("ingest", str(reports), "--db", str(db))
    assert code == 0, output
    code, output = invoke("compare", "--db", str(db))
    assert code == 0, output


def test_bad_codebook_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "mine.toml"
    bad.write_text('[[actor]]\nid = "XYZ"\nname = "X"\naliases = ["Moscow"]\n', encoding="utf-8")
    code, output = invoke("--codebook", str(bad), "codebook", "actors")
    assert code == 1 and "mine.toml" in output


def test_codebook_listing() -> None:
    code, output = invoke("codebook", "issues", "TER")
    assert code == 0 and "TER.WITHDRAW" in output and "CF.GENERAL" not in output
    code, output = invoke("codebook", "actors", "Kremlin")
    assert code == 0 and "RUS" in output


@pytest.mark.parametrize("kind", ["actors", "places", "conflicts"])
def test_a_codebook_search_that_finds_nothing_says_so(kind: str) -> None:
    """Not a table of headers alone, which reads like a fault."""
    code, output = invoke("codebook", kind, "zzqqxx")
    assert code == 0 and "matches" in output and f"`peacetrack codebook {kind}`" in output


def test_demo_runs_on_the_examples(tmp_path: Path) -> None:
    code, output = invoke("demo", "--db", str(tmp_path / "demo.db"))
    assert code == 0, output
    assert "added" in output and "claims from" in output
    assert "(learned.v1)" in output  # the default extractor
    assert "TER.WITHDRAW" in output


# --- stored text is printed as text ------------------------------------------------------

EVIL_NAME = "\x1b]0;pwned\x07evil[/b].txt"
EVIL_TITLE = "[bold]Talks[/] [/oops] :x: \x1b[2J\u202eend"
EVIL_EVIDENCE = (
    "Moscow demanded [sic] that Kyiv withdraw from Donetsk under the [/b] draft :x: deal "
    "\x1b[31mnow."
)


@pytest.fixture
def evil_db(tmp_path: Path) -> str:
    """A store whose names, titles, evidence and proposal hold markup, emoji codes and
    terminal control sequences, as a hostile or broken feed could deliver them."""
    db = str(tmp_path / "evil.db")
    with Store.open(db) as store:
        added = store.add_document(
            Document(
                name=EVIL_NAME,
                title=EVIL_TITLE,
                outlet="[red]Wire",
                text=f"Talks [day 2] :x: end\n{EVIL_EVIDENCE}\n",
            )
        )
        claim = Claim(
            actors=["RUS"],
            stance=Stance.DEMAND,
            issue="TER.WITHDRAW",
            evidence=EVIL_EVIDENCE,
            proposal="the [/b] draft :x: deal",
        )
        store.save_extraction(added.document_id, "rules.v1", [claim])
    return db


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        (["documents", "list"], ["[red]Wire", "\\x1b]0;pwned\\x07evil"]),
        (["documents", "show", "1"], ["[bold]Talks[/] [/oops] :x: \\x1b[2J\\u202eend"]),
        (["claims"], ["[sic]", "\\x1b[31m"]),
        (["proposals", "list"], ["[/b] draft :x: deal"]),
        (["proposals", "show", "1"], ["[/b] draft :x: deal"]),
        (["compare", "--by", "proposal"], ["[/b] draft :x: deal"]),
        (["timeline"], ["[sic]", ":x:"]),
    ],
)
def test_stored_text_is_printed_as_text(evil_db: str, command: list[str], shown: list[str]) -> None:
    code, output = invoke(*command, "--db", evil_db)
    assert code == 0, output
    flat = " ".join(output.split())  # tables wrap long cells
    for text in shown:
        assert " ".join(text.split()) in flat, (text, output)
    assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "❌" not in output  # :x: stays text, never an emoji


def test_errors_print_user_input_as_text(evil_db: str) -> None:
    code, output = invoke("documents", "show", "[/b]:x:\x1b[2J", "--db", evil_db)
    assert code == 1
    assert "[/b]:x:\\x1b[2J" in output and "\x1b" not in output


def test_text_formats_on_a_terminal_escape_control_characters(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pipes and files get exact CSV/Markdown; a terminal never gets a control sequence."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    write_output("a\x1b[2Jb\tc\n", None)
    assert capsys.readouterr().out == "a\\x1b[2Jb\tc\n"
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    write_output("a\x1b[2Jb\n", None)
    assert capsys.readouterr().out == "a\x1b[2Jb\n"


# --- filter values are checked --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["claims", "--stance", "demands"], "unknown stance 'demands'. Did you mean demand?"),
        (["claims", "--stance", "bogus"], "unknown stance 'bogus'. Stances are: demand,"),
        (["claims", "--actor", "XX"], "unknown actor 'XX'."),
        (["claims", "--actor", "Russia"], "unknown actor 'Russia'. Did you mean RUS?"),
        (["claims", "--actor", "RUS,UKRR"], "unknown actor 'UKRR'. Did you mean UKR?"),
        (["claims", "--issue", "TER.WITHDRAWL"], "Did you mean TER.WITHDRAW?"),
        (["claims", "--issue", "TERR.*"], "no issue matches 'TERR.*'"),
        (["claims", "--proposal", "[/b] draft :x: dael"], "Did you mean [/b] draft :x: deal?"),
        (["compare", "--actors", "RUS,XX"], "unknown actor 'XX'."),
        (["compare", "--issues", "CF.GENRAL"], "Did you mean CF.GENERAL"),
        (["timeline", "--actor", "UKRR"], "Did you mean UKR?"),
        (["timeline", "--issue", "TER.WITHDRAWL"], "Did you mean TER.WITHDRAW?"),
    ],
)
def test_a_filter_value_that_cannot_match_is_an_error(
    evil_db: str, args: list[str], said: str
) -> None:
    """No "0 claims" for a typo: the value is named, with the nearest real one."""
    code, output = invoke(*args, "--db", evil_db)
    assert code == 1, output
    assert said in " ".join(output.split())


def test_filter_values_are_read_as_people_write_them(evil_db: str) -> None:
    """Lower case ids and stances, issue groups and wildcards all find the stored claim."""
    for args in (
        ["--actor", "rus", "--stance", "DEMAND", "--issue", "ter"],
        ["--issue", "TER.*,CF.GENERAL", "--proposal", "[/b] draft :x: deal"],
    ):
        code, output = invoke("claims", *args, "--db", evil_db, "--format", "jsonl")
        assert code == 0, output
        assert len(output.splitlines()) == 1, (args, output)


# --- startup ---------------------------------------------------------------------------------

#: Libraries that take from a tenth of a second (NumPy) to over a second (SciPy, spaCy) to
#: import, and that no look at a store needs: they load where they are used.
HEAVY = (
    "alembic",
    "datasketch",
    "dateparser",
    "feedparser",
    "httpx",
    "jinja2",
    "lxml",
    "numpy",
    "pandas",
    "plotly",
    "pyarrow",
    "scipy",
    "spacy",
    "trafilatura",
)
IMPORTED_BY = """
import contextlib, io, sys
from peacetrack.cli import main
sys.argv = ["peacetrack", *sys.argv[1:]]
with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
    main()
print(" ".join(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["--help"],
        ["documents", "list"],
        ["documents", "show", "1"],
        ["claims", "--actor", "RUS"],
        ["compare"],
        ["diff", "RUS", "UKR"],
        ["timeline"],
        ["proposals", "list"],
    ],
)
def test_reading_a_store_imports_no_heavy_library(evil_db: str, command: list[str]) -> None:
    """Every command starts in a fresh process: what it imports, the user waits for.
    (benchmarks/bench_startup.py measures the time itself.)"""
    args = [*command, "--db", evil_db] if command != ["--help"] else command
    code = IMPORTED_BY.format(heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "", f"`peacetrack {' '.join(command)}` imported {done.stdout}"


# --- the README ------------------------------------------------------------------------------


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_readme_evaluation_runs_from_a_fresh_clone() -> None:
    """The first commands shown need nothing outside the repository; every set of ours
    in the table has one; ../shared appears only in what is marked optional."""
    section = readme_section("Evaluation")
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    first = blocks[0]
    assert "../shared" not in first, first
    evals = [line.split()[2:4] for line in first.splitlines() if " eval " in line]
    for gold, docs in evals:
        assert (ROOT / gold).is_file() and (ROOT / docs).is_dir(), (gold, docs)
    named = {Path(gold).parent.as_posix() for gold, _ in evals}
    assert {"tests/fixtures/eval", "tests/fixtures/tune", "tests/fixtures/tune2"} <= named
    for block in blocks:
        if "../shared" in block:
            before = section[: section.index(block)].rsplit("```", 1)[0][-400:]
            assert "optional" in before, block


def test_readme_matrix_is_what_compare_prints_after_the_demo(tmp_path: Path) -> None:
    """The rows the README shows before the quick start are the demo's own output: when
    the default extractor's model changes, they change with it (they had drifted)."""
    intro = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ", 1)[0]
    shown = [line for line in intro.splitlines() if re.match(r"\| [A-Z]+\.[A-Z_]+ \|", line)]
    assert len(shown) >= 3
    db = str(tmp_path / "demo.db")
    code, output = invoke("demo", "--db", db)
    assert code == 0, output
    result = runner.invoke(
        app, ["compare", "--db", db, "--actors", "RUS,UKR,USA", "--format", "md"]
    )
    assert result.exit_code == 0, result.output
    printed = set(result.stdout.splitlines())
    for line in shown:
        assert line in printed, f"README row not printed by compare:\n{line}"
