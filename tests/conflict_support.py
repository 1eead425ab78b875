"""A store holding our own sentences on two wars, for the tests of views by conflict.

The United States speaks in both, more often than any party, so a matrix ordered by weight
alone would put it first; it proposes a ceasefire in Ukraine, demands a truce in Gaza and
then rejects a ceasefire in Ukraine, so only the Ukrainian track changes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from peacetrack.model import Claim, Document, Stance
from peacetrack.store import Store

#: (name, date, text, [(actors, stance, issue, evidence, proposal)])
REPORTS = [
    ("ua-1.txt", date(2025, 3, 1), [
        (["RUS", "UKR"], "agree", "PROC.TALKS", "Russia and Ukraine agreed to meet.", None),
        (["RUS"], "demand", "TER.WITHDRAW", "Russia demanded that Ukraine withdraw.", None),
        (["UKR"], "reject", "TER.WITHDRAW", "Ukraine refused to withdraw.", None),
        (["USA"], "propose", "CF.GENERAL", "Washington proposed a ceasefire.", "U.S. draft"),
        (["USA"], "demand", "HUM.DETAINEES", "Washington demanded a prisoner swap.", None),
    ]),
    ("gaza-1.txt", date(2025, 3, 4), [
        (["ISR", "HAMAS"], "agree", "CF.GENERAL", "Israel and Hamas agreed a truce.", None),
        (["USA"], "demand", "CF.GENERAL", "The U.S. demanded a truce in Gaza.", "U.S. draft"),
        (["USA"], "demand", "HUM.DETAINEES", "The U.S. demanded that hostages go free.", None),
        (["USA"], "offer", "HUM.ACCESS_AID", "The U.S. offered food aid.", None),
    ]),
    ("ua-2.txt", date(2025, 4, 20), [
        (["RUS", "UKR"], "agree", "HUM.DETAINEES", "Russia and Ukraine agreed a swap.", None),
        (["USA"], "reject", "CF.GENERAL", "Washington rejected a ceasefire now.", None),
        (["USA"], "demand", "ECO.SANCTIONS", "Washington demanded new sanctions.", None),
    ]),
]  # fmt: skip


def two_wars_store(path: Path) -> str:
    """The reports above saved into a new SQLite store at ``path``; its URL."""
    db = str(path)
    with Store.open(db) as store:
        for name, published, rows in REPORTS:
            body = " ".join(row[3] for row in rows)
            added = store.add_document(Document(name=name, text=body, published=published))
            claims = [
                Claim(
                    actors=actors,
                    stance=Stance(stance),
                    issue=issue,
                    evidence=evidence,
                    proposal=proposal,
                )
                for actors, stance, issue, evidence, proposal in rows
            ]
            store.save_extraction(added.document_id, "rules.v1", claims)
    return db
