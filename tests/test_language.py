"""Ingest records each report's language; the detector's model ships in its package."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetrack.ingest import read_documents
from peacetrack.language import detect_language
from peacetrack.model import Document

#: Sentences written for this test, one per language a model is expected to read.
SAMPLES = {
    "en": "The delegations agreed to meet again next week to discuss a ceasefire.",
    "ru": "Делегации договорились снова встретиться на следующей неделе, чтобы обсудить перемирие.",
    "uk": "Делегації домовилися знову зустрітися наступного тижня, щоб обговорити перемир'я.",
    "ar": "اتفق الوفدان على الاجتماع مرة أخرى الأسبوع المقبل لمناقشة وقف إطلاق النار.",
    "fr": "Les délégations ont convenu de se revoir la semaine prochaine pour un cessez-le-feu.",
    "es": "Las delegaciones acordaron reunirse de nuevo la próxima semana por un alto el fuego.",
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_detects_the_languages_models_are_asked_to_read(language: str) -> None:
    assert detect_language(SAMPLES[language]) == language


def test_too_little_text_is_left_unknown() -> None:
    assert detect_language("OK 12 34") is None


def test_ingest_records_the_language(tmp_path: Path) -> None:
    (tmp_path / "ru.txt").write_text(SAMPLES["ru"], encoding="utf-8")
    (tmp_path / "en.txt").write_text(SAMPLES["en"], encoding="utf-8")
    found = {d.name: d.language for d in read_documents([tmp_path]) if isinstance(d, Document)}
    assert found == {"ru.txt": "ru", "en.txt": "en"}
