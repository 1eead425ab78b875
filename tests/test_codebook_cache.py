"""The parsed-codebook cache only ever saves time: what it gives back equals what parsing the
files gives, a changed file is parsed again, and a damaged, unwritable or shared cache folder
never fails a command (issue #11: start-up)."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from peacetrack.codebook import Codebook, load_codebook
from peacetrack.codebook import loader as codebook_loader
from peacetrack.codebook.cache import ENV_VAR, KEEP, cache_dir

EXTRA = Path(__file__).parent / "fixtures" / "codebook" / "extra.toml"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test's own."""
    path = tmp_path / "cache"
    monkeypatch.setenv(ENV_VAR, str(path))
    return path


def parsed(*extra: Path, monkeypatch: pytest.MonkeyPatch) -> Codebook:
    """The codebook built from the files themselves, with caching off."""
    with monkeypatch.context() as patch:
        patch.setenv(ENV_VAR, "")
        return load_codebook(*extra)


def assert_equal(a: Codebook, b: Codebook) -> None:
    assert a.to_data() == b.to_data()
    assert (a.issues, a.actors) == (b.issues, b.actors)
    assert (a.places, a.conflicts) == (b.places, b.conflicts)
    assert a.sources == b.sources
    assert a.actor_aliases() == b.actor_aliases() and a.place_aliases() == b.place_aliases()
    for name in ("the Kremlin", "Russia's", "Kyiv", "ukrainian"):
        assert a.resolve_actor(name) == b.resolve_actor(name)
    for place in ("Donbas", "Crimea", "UA-14", "the Gaza Strip"):
        assert a.resolve_places(place) == b.resolve_places(place)
    for name in ("the war in Ukraine", "ru-ua", "Gaza war"):
        assert a.resolve_conflict(name) == b.resolve_conflict(name)


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("codebook-*.json"))


@pytest.mark.parametrize("extra", [(), (EXTRA,)], ids=["builtin", "with a user file"])
def test_the_cached_codebook_equals_the_parsed_one(
    extra: tuple[Path, ...], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_codebook(*extra)  # parsed, and stored
    assert len(entries(folder)) == 1
    with monkeypatch.context() as patch:
        patch.setattr(codebook_loader, "_build", pytest.fail)  # a hit must not parse
        again = load_codebook(*extra)
    assert again is not first
    assert_equal(again, parsed(*extra, monkeypatch=monkeypatch))
    assert_equal(again, first)


def test_a_changed_file_is_parsed_again(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mine.toml"
    shutil.copy(EXTRA, mine)
    assert "NRF" in load_codebook(mine).actors
    mine.write_text(EXTRA.read_text(encoding="utf-8").replace("NRF", "NRG"), encoding="utf-8")
    changed = load_codebook(mine)
    assert "NRG" in changed.actors and "NRF" not in changed.actors
    assert len(entries(folder)) == 2
    assert_equal(changed, parsed(mine, monkeypatch=monkeypatch))


def test_a_damaged_entry_is_rebuilt(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_codebook()
    (entry,) = entries(folder)
    for damage in ("{not json", json.dumps({"issues": []}), json.dumps([1, 2]), ""):
        entry.write_text(damage, encoding="utf-8")
        assert_equal(load_codebook(), parsed(monkeypatch=monkeypatch))
        assert json.loads(entry.read_text(encoding="utf-8"))["issues"]  # written again


def test_a_folder_that_cannot_be_written_only_costs_the_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(blocker / "cache"))
    assert_equal(load_codebook(), parsed(monkeypatch=monkeypatch))


def test_an_empty_setting_turns_the_cache_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, "")
    assert cache_dir() is None
    monkeypatch.chdir(tmp_path)
    load_codebook()
    assert list(tmp_path.iterdir()) == []


def test_concurrent_loads_all_get_the_codebook(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    books: list[Codebook] = []
    threads = [threading.Thread(target=lambda: books.append(load_codebook())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = parsed(monkeypatch=monkeypatch)
    for book in books:
        assert_equal(book, expected)
    assert [p.name for p in folder.iterdir()] == [entries(folder)[0].name]  # no temporary left


def test_old_entries_are_pruned(folder: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    for n in range(KEEP + 3):
        mine.write_text(f"# version {n}\n" + EXTRA.read_text(encoding="utf-8"), encoding="utf-8")
        load_codebook(mine)
    assert len(entries(folder)) == KEEP


def test_the_cache_folder_follows_the_platform_convention(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "peacetrack"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert cache_dir() == tmp_path / ".cache" / "peacetrack"
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
