"""The set-up scripts: scripts/demo and scripts/test share one environment and never undo
each other's installs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fake_venv(folder: Path) -> Path:
    """A venv whose python only writes down how it was called: no pip runs."""
    python = folder / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text('#!/bin/sh\necho "$*" >> "$(dirname "$0")/../calls"\n', encoding="utf-8")
    python.chmod(0o755)
    return folder


def installs(venv: Path, extras: str) -> list[str]:
    """What ``scripts/bootstrap EXTRAS`` installed into ``venv`` (the -e specs)."""
    calls = venv / "calls"
    before = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    subprocess.run(
        [str(ROOT / "scripts" / "bootstrap"), extras],
        env=os.environ | {"PEACETRACK_VENV": str(venv)},
        check=True,
        capture_output=True,
    )
    after = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    return [line.rsplit(" ", 1)[1] for line in after[len(before) :] if " -e " in line]


def test_scripts_share_one_environment_and_never_undo_each_other(tmp_path: Path) -> None:
    venv = fake_venv(tmp_path / "venv")
    assert installs(venv, "dev,report") == [".[dev,report]"]  # scripts/test
    assert installs(venv, "") == []  # scripts/demo: the base install is there
    assert installs(venv, "report") == []
    assert installs(venv, "web,dev") == [".[dev,report,web]"]  # adds web, keeps report
    assert installs(venv, "") == []
    stamp = (venv / ".peacetrack-installed").read_text(encoding="utf-8")
    assert stamp.endswith(" extras=dev,report,web\n")
