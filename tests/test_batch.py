"""Batch extraction on Dask: same claims as `extract`, resumable, robust to failures."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from distributed import Client, LocalCluster  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from peacetrack.batch import load_batch, read_batch_claims, run_batch  # noqa: E402
from peacetrack.batch.output import MANIFEST, SETTINGS, finished_shards  # noqa: E402
from peacetrack.batch.reading import read_shard  # noqa: E402
from peacetrack.batch.shards import (  # noqa: E402
    MAX_SHARD_BYTES,
    MIN_SHARD_DOCUMENTS,
    TARGET_SHARDS,
    ShardSize,
    plan_shards,
    size_for,
)
from peacetrack.cli import app  # noqa: E402
from peacetrack.errors import InputError  # noqa: E402
from peacetrack.extract import get_extractor  # noqa: E402
from peacetrack.extract.runner import extract_documents  # noqa: E402
from peacetrack.ingest import Failure, read_documents  # noqa: E402
from peacetrack.model import Document  # noqa: E402
from peacetrack.store import Store  # noqa: E402

#: Sentences written for these tests, in news style; most give the rules extractor a claim.
SENTENCES = [
    "Russia demanded that Ukraine withdraw its troops from the Donetsk region before any truce.",
    "Ukraine rejected the proposal, saying it would never cede territory.",
    "Israel and Hamas agreed to a ceasefire in Gaza on Sunday, officials said.",
    "Kyiv offered a prisoner exchange, according to a senior Ukrainian official.",
    "Moscow insisted that Western sanctions be lifted first.",
    "The United States proposed a thirty-day truce along the front line.",
    "Delegations met in Geneva for a third round of talks on Tuesday.",
    "Hamas said it would free hostages only after Israeli forces leave Gaza.",
    "Negotiators broke for lunch and resumed their work late in the afternoon.",
]


def report_text(rng: random.Random, number: int, sentences: int = 3) -> str:
    body = " ".join(rng.choice(SENTENCES) for _ in range(sentences))
    return f"{body} Dispatch {number}."


def write_jsonl(path: Path, rows: int, seed: int = 1, sentences: int = 3) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for n in range(rows):
            handle.write(json.dumps({"text": report_text(rng, n, sentences)}) + "\n")
    return path


def write_reports(folder: Path, files: int, seed: int = 2) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        (folder / f"report-{n:03d}.txt").write_text(report_text(rng, n), encoding="utf-8")
    return folder


def guideline_lines(records: Iterator[object] | list[object]) -> list[str]:
    return sorted(r.to_json() for r in records)  # type: ignore[attr-defined]


def extract_reference(inputs: list[str]) -> list[str]:
    """What `peacetrack extract` gives on the same inputs with the default extractor (the
    one `batch` uses too, learned.v1), as sorted guideline JSONL."""
    docs = [d for d in read_documents(inputs) if isinstance(d, Document)]
    return guideline_lines(list(extract_documents(docs, get_extractor())))


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two worker processes, shared by the tests that do not test cluster start-up."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
    ) as local:
        yield local


# --- planning and reading (no cluster) ----------------------------------------------------


def test_jsonl_shards_are_stable_and_keep_row_names(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "news.jsonl", 23)
    shards = plan_shards([corpus], shard_size=5)
    assert [s.id for s in shards] == [s.id for s in plan_shards([str(corpus)], 5)]
    assert len(shards) == 5
    names = [d.name for s in shards for d in read_shard(s) if isinstance(d, Document)]
    assert names == [f"news-{n}" for n in range(1, 24)]


def test_rows_appended_after_a_run_make_shards_of_their_own(tmp_path: Path) -> None:
    """Planned again with the finished shards' ends as cuts, a grown file keeps its shards
    (same ids, so a resumed run skips them) and the new rows make new ones."""
    corpus = write_jsonl(tmp_path / "news.jsonl", 23)
    before = plan_shards([corpus], shard_size=5)
    with corpus.open("a", encoding="utf-8") as handle:
        for n in range(4):
            handle.write(json.dumps({"text": report_text(random.Random(n), 100 + n)}) + "\n")
    cuts = {s.location: frozenset(s.stop for s in before if s.stop is not None) for s in before}
    after = plan_shards([corpus], ShardSize(5, cuts=cuts))
    assert [s.id for s in after[: len(before)]] == [s.id for s in before]
    added = [d.name for s in after[len(before) :] for d in read_shard(s)]
    assert added == [f"news-{n}" for n in range(24, 28)]


def test_jsonl_blank_lines_and_bom_keep_row_names(tmp_path: Path) -> None:
    path = tmp_path / "gaps.jsonl"
    rows = [json.dumps({"text": report_text(random.Random(n), n)}) for n in range(9)]
    body = "\n\n".join(rows[:4]) + "\r\n" + "\r\n".join(rows[4:]) + "\n"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    whole = [d.name for d in read_documents([path]) if isinstance(d, Document)]
    split = [d.name for s in plan_shards([path], 2) for d in read_shard(s)]
    assert split == whole and len(whole) == 9


def test_csv_shards_match_the_ingest_reader(tmp_path: Path) -> None:
    """Quoted line breaks and blank lines must not shift row numbers between shards."""
    path = tmp_path / "wire.csv"
    rng = random.Random(3)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "text"])
        for n in range(30):
            text = (
                report_text(rng, n).replace(". ", ".\n", 1) if n % 4 == 0 else report_text(rng, n)
            )
            writer.writerow([f"Title {n}", text])
            if n % 7 == 0:
                handle.write("\n")
    whole = [(d.name, d.text) for d in read_documents([path]) if isinstance(d, Document)]
    shards = plan_shards([path], shard_size=4)
    assert len(shards) > 3
    split = [(d.name, d.text) for s in shards for d in read_shard(s) if isinstance(d, Document)]
    assert split == whole


def test_parquet_and_fsspec_inputs(tmp_path: Path) -> None:
    rows = [{"id": f"pq-{n}", "text": report_text(random.Random(n), n)} for n in range(12)]
    path = tmp_path / "archive.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=3)
    shards = plan_shards([path], shard_size=5)
    assert len(shards) == 2  # whole row groups: 6 + 6 rows
    assert [d.name for s in shards for d in read_shard(s)] == [r["id"] for r in rows]

    fsspec = pytest.importorskip("fsspec")
    memory = fsspec.filesystem("memory")
    memory.pipe("/batchtest/a.txt", b"Moscow insisted that Western sanctions be lifted first.")
    memory.pipe("/batchtest/b.jsonl", b'{"text": "Kyiv offered a prisoner exchange."}\n')
    try:
        items = [i for s in plan_shards(["memory://batchtest"], 10) for i in read_shard(s)]
    finally:
        memory.rm("/batchtest", recursive=True)
    assert sorted(i.name for i in items if isinstance(i, Document)) == ["a.txt", "b-1"]


def test_shards_are_sized_from_the_work(tmp_path: Path) -> None:
    """Enough shards for a small cluster, none smaller than the floor; reports count too."""
    big = write_jsonl(tmp_path / "big.jsonl", 3200)
    size = size_for([big])
    assert size == ShardSize(3200 // TARGET_SHARDS, MAX_SHARD_BYTES)
    assert [s.rows for s in plan_shards([big], size)] == [100] * TARGET_SHARDS
    small = write_jsonl(tmp_path / "small.jsonl", 120)
    reports = write_reports(tmp_path / "reports", 30)
    assert size_for([small, reports]).documents == MIN_SHARD_DOCUMENTS
    assert [s.rows for s in plan_shards([small, reports], size_for([small]))] == [50, 50, 20, 30]


def test_byte_limit_cuts_shards_of_long_rows(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "long.jsonl", 40, sentences=20)
    row_bytes = corpus.stat().st_size // 40
    shards = plan_shards([corpus], ShardSize(1000, bytes=10 * row_bytes))
    assert 4 <= len(shards) <= 5 and sum(s.rows for s in shards) == 40
    names = [d.name for s in shards for d in read_shard(s) if isinstance(d, Document)]
    assert names == [f"long-{n}" for n in range(1, 41)]


def test_missing_input_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nowhere\.jsonl"):
        plan_shards([tmp_path / "nowhere.jsonl"], 10)


# --- runs on a cluster ------------------------------------------------------------------


@pytest.mark.slow
def test_batch_matches_extract_and_resumes(tmp_path: Path, cluster: LocalCluster) -> None:
    write_jsonl(tmp_path / "a.jsonl", 180, seed=1)
    write_jsonl(tmp_path / "b.jsonl", 60, seed=5)
    write_reports(tmp_path / "reports", 60)
    inputs = [str(tmp_path / n) for n in ("a.jsonl", "b.jsonl", "reports")]
    out = tmp_path / "out"
    address = cluster.scheduler_address

    first = run_batch(inputs, out, scheduler=address, shard_size=40)
    assert first.ok and first.documents == 300 and len(first.finished) == first.shards == 9
    assert guideline_lines(read_batch_claims(out)) == extract_reference(inputs)

    again = run_batch(inputs, out, scheduler=address, shard_size=40)
    assert again.finished == [] and again.skipped == 9
    kept = run_batch(inputs, out, scheduler=address)  # no size: the recorded one, not the work's
    assert kept.finished == [] and kept.skipped == 9

    manifest = out / MANIFEST
    lines = manifest.read_text(encoding="utf-8").splitlines()
    dropped = json.loads(lines[3])["shard"]
    manifest.write_text("\n".join(lines[:3] + lines[4:]) + "\n", encoding="utf-8")
    redo = run_batch(inputs, out, scheduler=address, shard_size=40)
    assert [r.shard for r in redo.finished] == [dropped] and redo.skipped == 8
    assert guideline_lines(read_batch_claims(out)) == extract_reference(inputs)

    with (tmp_path / "a.jsonl").open("a", encoding="utf-8") as handle:  # rows added later
        for n in range(180, 190):
            handle.write(json.dumps({"text": report_text(random.Random(n), n)}) + "\n")
    grown = run_batch(inputs, out, scheduler=address, shard_size=40)
    assert grown.skipped == 9 and [r.documents for r in grown.finished] == [10]
    assert guideline_lines(read_batch_claims(out)) == extract_reference(inputs)


@pytest.mark.slow
def test_failing_shard_is_reported_and_others_finish(tmp_path: Path, cluster: LocalCluster) -> None:
    write_jsonl(tmp_path / "good.jsonl", 30)
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 this is not really parquet PAR1")
    inputs = [str(tmp_path / "good.jsonl"), str(tmp_path / "broken.parquet")]
    summary = run_batch(
        inputs, tmp_path / "out", scheduler=cluster.scheduler_address, shard_size=10, retries=1
    )
    assert not summary.ok
    assert len(summary.failed) == 1 and "broken.parquet" in summary.failed[0][0]
    assert "Parquet" in summary.failed[0][1]
    assert len(summary.finished) == 3 and summary.documents == 30
    assert len(read_batch_claims(tmp_path / "out")) == 30


@pytest.mark.slow
def test_killed_worker_leaves_every_shard_exactly_once(
    tmp_path: Path, cluster: LocalCluster
) -> None:
    write_jsonl(tmp_path / "slow.jsonl", 600, sentences=12)
    out = tmp_path / "out"
    killed: list[int] = []

    def kill_one_worker() -> None:
        deadline = time.monotonic() + 60
        while not (out / MANIFEST).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        with Client(cluster.scheduler_address) as client:
            busy = [w for w, keys in client.processing().items() if keys]
            if busy:  # else the run is over already, and the assertion below says so
                pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    summary = run_batch([tmp_path / "slow.jsonl"], out, scheduler=cluster.scheduler_address,
                        shard_size=20)  # fmt: skip
    killer.join()
    assert killed, "no busy worker to kill: the corpus finished too fast"
    if not summary.ok:  # a task on the dead worker may exhaust its allowed failures
        summary = run_batch([tmp_path / "slow.jsonl"], out, scheduler=cluster.scheduler_address,
                            shard_size=20)  # fmt: skip
    assert summary.ok
    done = finished_shards(out)
    assert len(done) == 30
    manifest_ids = [json.loads(line)["shard"] for line in (out / MANIFEST).open()]
    assert sorted(manifest_ids) == sorted(done)  # each shard recorded once
    parts = sorted((out / "documents").glob("shard=*/[!.]*"))  # temporaries are hidden
    assert [p.name for p in parts] == ["part.parquet"] * 30
    names = [r.doc for r in read_batch_claims(out)]
    assert sorted(names) == sorted(f"slow-{n}" for n in range(1, 601))


@pytest.mark.slow
def test_load_into_store_is_idempotent(
    tmp_path: Path, cluster: LocalCluster, fresh_db: Store
) -> None:
    write_jsonl(tmp_path / "news.jsonl", 40)
    run_batch([tmp_path / "news.jsonl"], tmp_path / "out", scheduler=cluster.scheduler_address,
              shard_size=15)  # fmt: skip
    expected = sum(len(r.claims) for r in read_batch_claims(tmp_path / "out"))
    first = load_batch(tmp_path / "out", fresh_db)
    assert first.documents + first.duplicates == 40 and first.claims == expected > 0
    assert fresh_db.count_claims() == expected
    second = load_batch(tmp_path / "out", fresh_db)
    assert (second.documents, second.claims, second.extracted) == (0, 0, 0)
    assert second.duplicates == 40
    assert fresh_db.count_claims() == expected


@pytest.mark.slow
def test_cli_end_to_end(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "tiny.jsonl", 8)
    db = tmp_path / "store.db"
    args = ["batch", str(corpus), "--out", str(tmp_path / "out"), "--workers", "1",
            "--shard-size", "3", "--load", "--db", str(db)]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "3 shards done (8 documents" in result.output
    assert "8 new documents" in result.output
    with Store.open(db) as store:
        assert store.count_documents() == 8


# --- runs on this machine (no cluster) -----------------------------------------------------


@pytest.mark.slow
def test_local_workers_are_forked_from_the_driver(tmp_path: Path) -> None:
    """Two local workers are processes forked from the driver (which runs no shard); the
    claims are extract's, each shard recorded once."""
    inputs = [str(write_jsonl(tmp_path / "news.jsonl", 200, sentences=6))]
    summary = run_batch(inputs, tmp_path / "out", workers=2, shard_size=10)
    assert summary.ok and summary.documents == 200 and len(summary.finished) == 20
    assert os.getpid() not in {r.pid for r in summary.finished}
    assert len(finished_shards(tmp_path / "out")) == 20
    assert guideline_lines(read_batch_claims(tmp_path / "out")) == extract_reference(inputs)


def test_one_worker_runs_in_the_driver_and_a_small_run_forks_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One worker, or one shard to run whatever the workers asked for: the driver's own
    thread runs it, and no process is started."""
    from peacetrack.batch import local

    def no_pool(*_: object) -> None:
        raise AssertionError("a worker process was started")

    monkeypatch.setattr(local, "_forked_pool", no_pool)
    few = write_jsonl(tmp_path / "few.jsonl", 5)
    summary = run_batch([few], tmp_path / "small", workers=4)
    assert summary.ok and summary.shards == 1
    assert [r.pid for r in summary.finished] == [os.getpid()]
    one = run_batch([few], tmp_path / "one", workers=1, shard_size=2)
    assert one.ok and [r.pid for r in one.finished] == [os.getpid()] * 3


@pytest.mark.slow
def test_local_failing_shard_is_reported_and_others_finish(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "good.jsonl", 30)
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 this is not really parquet PAR1")
    inputs = [str(tmp_path / "good.jsonl"), str(tmp_path / "broken.parquet")]
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        summary = run_batch(inputs, out, workers=workers, shard_size=10, retries=1)
        assert not summary.ok
        assert len(summary.failed) == 1 and "broken.parquet" in summary.failed[0][0]
        assert "Parquet" in summary.failed[0][1]
        assert len(summary.finished) == 3 and summary.documents == 30
        assert len(read_batch_claims(out)) == 30


@pytest.mark.slow
def test_killed_local_worker_has_its_shards_run_again(tmp_path: Path) -> None:
    """A local worker process killed mid-run breaks the pool; the shards not yet recorded
    run on a new one, and every shard is recorded exactly once."""
    import multiprocessing

    corpus = write_jsonl(tmp_path / "slow.jsonl", 300, sentences=12)
    out = tmp_path / "out"
    killed: list[int] = []

    def kill_one_worker(done: int, total: int) -> None:
        workers = multiprocessing.active_children()
        if done == 1 and not killed and workers:
            os.kill(workers[0].pid or 0, signal.SIGKILL)
            killed.append(workers[0].pid or 0)

    summary = run_batch([corpus], out, workers=2, shard_size=10, progress=kill_one_worker)
    assert killed and summary.ok and len(summary.finished) == 30
    manifest_ids = [json.loads(line)["shard"] for line in (out / MANIFEST).open()]
    assert sorted(manifest_ids) == sorted(finished_shards(out))  # each shard recorded once
    names = [r.doc for r in read_batch_claims(out)]
    assert sorted(names) == sorted(f"slow-{n}" for n in range(1, 301))


def test_cli_names_a_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "gone.csv"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "gone.csv" in result.output


def test_failure_rows_are_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"text": "Moscow insisted on talks."}\nnot json\n', encoding="utf-8")
    items = [i for s in plan_shards([path], 1) for i in read_shard(s)]
    failures = [i for i in items if isinstance(i, Failure)]
    assert [f.input for f in failures] == [f"{path}:2"]


def _model_answer(text: str) -> str:
    """A fake model that codes the 'demanded' sentence of each report, for llm.v1 runs."""
    first = (
        "Russia demanded that Ukraine withdraw its troops from the Donetsk region before any truce."
    )
    claims = []
    if first in text:
        claims.append({"actors": ["RUS"], "stance": "demand", "issue": "TER.WITHDRAW",
                       "obligor": ["UKR"], "evidence": first, "confidence": 0.8})  # fmt: skip
    return json.dumps({"claims": claims})


@pytest.mark.slow
def test_batch_with_llm_extractor_matches_extract_and_loads(
    tmp_path: Path, cluster: LocalCluster, fresh_db: Store
) -> None:
    from peacetrack.testing import FakeModel

    inputs = [str(write_jsonl(tmp_path / "news.jsonl", 30, seed=3))]
    model = FakeModel(_model_answer, models=["fake-llm"])
    with model.serve() as url:
        options = {"model": "fake-llm", "base_url": url, "max_retries": 0}
        summary = run_batch(
            inputs,
            tmp_path / "out",
            scheduler=cluster.scheduler_address,
            shard_size=10,
            extractor="llm.v1",
            extractor_options=options,
        )
        assert summary.ok and summary.documents == 30
        docs = [d for d in read_documents(inputs) if isinstance(d, Document)]
        reference = guideline_lines(
            list(extract_documents(docs, get_extractor("llm.v1", **options)))
        )
    assert guideline_lines(read_batch_claims(tmp_path / "out")) == reference
    loaded = load_batch(tmp_path / "out", fresh_db)
    stored = [s.claim for s in fresh_db.claims()]
    assert loaded.claims == len(stored) > 0
    assert {(c.extractor, c.model, c.confidence) for c in stored} == {("llm.v1", "fake-llm", 0.8)}


def test_utf16_corpus_is_refused_by_name_with_how_to_convert(tmp_path: Path) -> None:
    corpus = tmp_path / "wide.jsonl"
    corpus.write_bytes(json.dumps({"text": "Talks resumed in Geneva."}).encode("utf-16-le"))
    [shard] = plan_shards([corpus], 10)
    with pytest.raises(InputError, match=r"UTF-16.*iconv"):
        list(read_shard(shard))


@pytest.mark.slow
def test_load_keeps_one_conflict(tmp_path: Path, cluster: LocalCluster, fresh_db: Store) -> None:
    """`batch --load --conflict il-gaza`: the documents with a claim of that war, no other."""
    rows = [SENTENCES[0], SENTENCES[2], SENTENCES[4]]  # Ukraine, Gaza, Ukraine
    corpus = tmp_path / "wars.jsonl"
    corpus.write_text("".join(json.dumps({"text": t}) + "\n" for t in rows), encoding="utf-8")
    run_batch([corpus], tmp_path / "out", scheduler=cluster.scheduler_address)
    settings = json.loads((tmp_path / "out" / SETTINGS).read_text(encoding="utf-8"))
    assert (settings["shard_size"], settings["shard_bytes"]) == (50, MAX_SHARD_BYTES)
    with pytest.raises(InputError, match="Did you mean il-gaza"):
        load_batch(tmp_path / "out", fresh_db, conflict="il-gaz")
    summary = load_batch(tmp_path / "out", fresh_db, conflict="il-gaza")
    assert summary.documents == 1 and summary.skipped == 2, summary
    assert "2 documents of other conflicts left out" in summary.describe()
    kept = fresh_db.claims()
    assert kept and {s.conflict for s in kept} == {"il-gaza"}
