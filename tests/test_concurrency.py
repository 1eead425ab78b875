"""Concurrent writers on SQLite and PostgreSQL: nothing stored twice, nothing lost or corrupted.

Two kinds of test: threads held at a chosen point inside a transaction, so that a second
writer meets it there every time; and real ``peacetrack`` processes run side by side.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, text

from peacetrack.compare import compare
from peacetrack.model import Claim, Document, content_hash, normalise_text
from peacetrack.store import Store, neardup

T = TypeVar("T")
U = TypeVar("U")
NewDatabase = Callable[[], str]
Factory = Callable[..., Document]

ACTORS = (("Russia", "Ukraine", "UA-14", "Donetsk"), ("Ukraine", "Russia", "UA-09", "Luhansk"))
CITIES = ("Geneva", "Istanbul", "Doha", "Riyadh", "Vienna", "Oslo", "Helsinki")


def report(number: int) -> str:
    """A report of its own: rules.v1 finds claims in it, and no other report shares its text."""
    demander, obligor, _, region = ACTORS[number % 2]
    city = CITIES[number % len(CITIES)]
    return (
        f"{city.upper()}, dispatch {number} - Delegations met in {city} for round {number} "
        f"of the talks. {demander} demanded that {obligor} withdraw its troops from the "
        f"{region} region before any ceasefire. {obligor} rejected any recognition of "
        f"occupied land. Both sides agreed to exchange all prisoners of war by the end of "
        f"June. Observers counted {number * 7 + 3} vehicles near the venue, and the hosts "
        f"said session {number} would continue on day {number % 28 + 1} in another hall."
    )


class Gate:
    """Holds the first thread that calls a wrapped function, just after the call, until opened.

    The call happens inside a store transaction, so the held thread keeps it open while a
    second writer runs into it.
    """

    def __init__(self) -> None:
        self.inside = threading.Event()
        self.opened = threading.Event()
        self._lock = threading.Lock()
        self._holding: int | None = None

    def wrap(self, func: Callable[..., T]) -> Callable[..., T]:
        def held(*args: Any, **kwargs: Any) -> T:
            result = func(*args, **kwargs)
            with self._lock:
                first = self._holding is None
                if first:
                    self._holding = threading.get_ident()
            if first:
                self.inside.set()
                self.opened.wait(10)
            return result

        return held

    def race(self, first: Callable[[], T], second: Callable[[], U]) -> tuple[T, U]:
        """Run ``first`` until it is held, start ``second``, give it time to block, open."""
        with ThreadPoolExecutor(2) as pool:
            held = pool.submit(first)
            while not self.inside.wait(0.05):
                if held.done():
                    held.result()  # raises what stopped the first writer
                    raise AssertionError("the first writer never reached the gate")
            other = pool.submit(second)
            time.sleep(0.3)
            self.opened.set()
            return held.result(timeout=30), other.result(timeout=30)


@pytest.fixture
def two_stores(new_database: NewDatabase) -> Iterator[tuple[Store, Store]]:
    """Two stores on one database, as two processes would have."""
    url = new_database()
    first, second = Store.open(url), Store.open(url)
    yield first, second
    first.close()
    second.close()


def claim(evidence: str, **fields: Any) -> Claim:
    data = {"actors": ["UKR"], "stance": "reject", "issue": "TER.RECOGNITION"} | fields
    return Claim.model_validate(data | {"evidence": evidence})


def test_extractions_of_one_document_queue(
    two_stores: tuple[Store, Store], sample_document: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_stores
    doc = first.add_document(sample_document(text=report(0))).document_id
    gate = Gate()
    monkeypatch.setattr(
        Store, "_record_extraction", staticmethod(gate.wrap(Store._record_extraction))
    )
    withdrawal = claim(
        "Russia demanded that Ukraine withdraw its troops from the Donetsk region before "
        "any ceasefire.",
        actors=["RUS"],
        stance="demand",
        issue="TER.WITHDRAW",
    )
    rejection = claim("Ukraine rejected any recognition of occupied land.")
    counts = gate.race(
        lambda: first.save_extraction(doc, "rules.v1", [withdrawal, rejection]),
        lambda: second.save_extraction(doc, "rules.v1", [rejection]),
    )
    assert counts == (2, 1)
    assert [s.claim.evidence for s in first.claims()] == [rejection.evidence]
    assert _scalar(first, "SELECT count(*) FROM extractions") == 1


def test_two_extractions_create_one_proposal(
    two_stores: tuple[Store, Store], sample_document: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_stores
    docs = [first.add_document(sample_document(text=report(n))).document_id for n in (1, 2)]
    gate = Gate()
    monkeypatch.setattr(
        Store, "_record_extraction", staticmethod(gate.wrap(Store._record_extraction))
    )
    evidence = "Both sides agreed to exchange all prisoners of war by the end of June."
    proposed = claim(evidence, actors=["RUS", "UKR"], stance="agree", issue="HUM.DETAINEES")
    proposed = proposed.model_copy(update={"proposal": "Geneva paper"})
    gate.race(
        lambda: first.save_extraction(docs[0], "rules.v1", [proposed]),
        lambda: second.save_extraction(docs[1], "rules.v1", [proposed]),
    )
    assert _scalar(first, "SELECT count(*) FROM proposals") == 1
    assert _scalar(first, "SELECT count(DISTINCT proposal_id) FROM claims") == 1
    assert [s.claim.proposal for s in first.claims(proposal="Geneva paper")] == ["Geneva paper"] * 2


def test_concurrent_ingests_see_each_others_near_duplicates(
    two_stores: tuple[Store, Store], sample_document: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_stores
    story = " ".join(report(n) for n in range(3))
    reprint = story + "\n(Editing by a night desk that changes credit lines)"
    gate = Gate()
    # The store imports the indexer when it first adds a document, from the module itself.
    monkeypatch.setattr(neardup, "index_document", gate.wrap(neardup.index_document))
    original, copy = gate.race(
        lambda: first.add_document(sample_document(text=story)),
        lambda: second.add_document(sample_document(text=reprint)),
    )
    assert original.status == "added"
    assert copy.status == "near_duplicate"
    assert copy.near_duplicate_of == (original.document_id,)


def _rows(url: str, sql: str) -> list[Any]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = list(connection.execute(text(sql)).all())
    engine.dispose()
    return rows


def _scalar(store: Store, sql: str) -> Any:
    return _rows(store.url, sql)[0][0]


# --- real processes ------------------------------------------------------------------------


def _write_reports(folder: Path, numbers: range, prefix: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in numbers:
        (folder / f"{prefix}-{number:04d}.txt").write_text(report(number), encoding="utf-8")


def _run_together(commands: list[list[str]], cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    """Start every command at once and wait for all; each must succeed."""
    env = os.environ | {"COLUMNS": "120", "NO_COLOR": "1"}
    env.pop("PEACETRACK_DB", None)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "peacetrack", *command],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    done = []
    for process, command in zip(processes, commands, strict=True):
        out, err = process.communicate(timeout=240)
        assert process.returncode == 0, f"{command} failed:\n{out}\n{err}"
        done.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return done


@pytest.mark.slow
def test_two_processes_ingest_and_extract_overlapping_folders(
    new_database: NewDatabase, tmp_path: Path
) -> None:
    url = new_database()
    # Shared reports sort first in both folders, so the two processes race on them at once.
    for name in ("one", "two"):
        _write_reports(tmp_path / name, range(60), "0-shared")
    _write_reports(tmp_path / "one", range(60, 90), "1-only")
    _write_reports(tmp_path / "two", range(90, 120), "1-only")
    _run_together([["ingest", str(tmp_path / n), "--db", url] for n in ("one", "two")], tmp_path)

    expected = {content_hash(normalise_text(report(n))) for n in range(120)}
    hashes = [row[0] for row in _rows(url, "SELECT content_hash FROM documents")]
    assert len(hashes) == len(set(hashes)) == 120
    assert set(hashes) == expected
    bands = _rows(url, "SELECT document_id, count(*) FROM minhash_bands GROUP BY document_id")
    assert len(bands) == 120 and {n for _, n in bands} == {20}
    runs = _rows(url, "SELECT kind, status FROM runs")
    assert runs == [("ingest", "finished")] * 2
    if url.startswith("sqlite"):
        assert _rows(url, "PRAGMA integrity_check") == [("ok",)]

    # A comparison running meanwhile brings cell summaries up to date while claims land.
    compare_ = ["compare", "--db", url, "--format", "csv"]
    extract_ = ["extract", "--db", url, "-e", "rules.v1"]  # the one _check_extractions counts
    _run_together([extract_, compare_, extract_], tmp_path)
    _check_extractions(url)
    with Store.open(url) as store:
        computed = compare(store.claims(), independent_groups=store.independent_groups)
        assert compare(store) == computed


def _check_extractions(url: str) -> None:
    """Every document extracted once, and its claims stored once (not once per process)."""
    per_document = _rows(
        url,
        "SELECT d.id, count(e.id), min(e.n_claims) FROM documents d "
        "LEFT JOIN extractions e ON e.document_id = d.id AND e.extractor = 'rules.v1' "
        "GROUP BY d.id",
    )
    assert len(per_document) == 120
    assert {extracted for _, extracted, _ in per_document} == {1}
    claims = dict(_rows(url, "SELECT document_id, count(*) FROM claims GROUP BY document_id"))
    assert {doc: claims.get(doc, 0) for doc, _, _ in per_document} == {
        doc: n_claims for doc, _, n_claims in per_document
    }
    assert sum(claims.values()) > 0, "rules.v1 found no claim in any report"
    twice = _rows(
        url,
        'SELECT document_id, start, "end", issue FROM claims '
        'GROUP BY document_id, start, "end", issue HAVING count(*) > 1',
    )
    assert twice == []
    if url.startswith("sqlite"):
        assert _rows(url, "PRAGMA integrity_check") == [("ok",)]
