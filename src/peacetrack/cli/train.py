"""`peacetrack train`: a learned extractor from gold files, a store's reviews, or another
extractor's claims."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peacetrack.cli.app import app
from peacetrack.cli.common import DbOption, console, err_console, fail, handled, open_store


@app.command()
def train(
    gold: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Folders with gold.jsonl beside docs/, or folders of such folders "
            "(one per conflict).",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", metavar="FILE", help="Where to write the model.")
    ] = Path("learned.npz"),
    builtin: Annotated[
        bool,
        typer.Option(help="Also learn from the reports and gold shipped with PeaceTrack."),
    ] = True,
    db: DbOption = None,
    reviews: Annotated[
        bool,
        typer.Option(
            "--reviews",
            help="Learn from the store's review history: accepted, edited and added claims "
            "are positions, rejected ones are not.",
        ),
    ] = False,
    teacher: Annotated[
        str | None,
        typer.Option(
            metavar="EXTRACTOR",
            help="Learn from another extractor's claims in the store (e.g. llm.v1 run on a "
            "sample of the archive).",
        ),
    ] = None,
    folds: Annotated[
        int, typer.Option(min=2, metavar="N", help="Folds of conflicts held out in validation.")
    ] = 5,
    min_precision: Annotated[
        float,
        typer.Option(min=0, max=1, metavar="P", help="Precision the thresholds must keep."),
    ] = 0.6,
) -> None:
    """Train learned.v1 and print its figures on conflicts held out in validation.

    Use the model with `--extractor learned.v1 --model-file FILE` on extract, eval and batch.
    """
    from peacetrack.codebook import default_codebook
    from peacetrack.extract.learned.examples import (
        corpus_examples,
        review_examples,
        teacher_examples,
    )
    from peacetrack.extract.learned.trainer import BUILTIN_CORPUS
    from peacetrack.extract.learned.trainer import train as run_training

    codebook = default_codebook()
    with handled():
        examples = corpus_examples([*(gold or []), *([BUILTIN_CORPUS] if builtin else [])])
        if reviews or teacher:
            with open_store(db, create=False) as store:
                if reviews:
                    examples += review_examples(store, codebook)
                if teacher:
                    examples += teacher_examples(store, teacher, codebook)
        if not examples:
            fail("nothing to learn from: give gold folders, --reviews or --teacher")
        trained = run_training(
            examples,
            codebook,
            folds=folds,
            min_precision=min_precision,
            log=lambda line: err_console.print(line, style="dim", highlight=False),
        )
        trained.models.save(output)
    console.print(trained.summary(), highlight=False, markup=False)
    console.print(
        f"wrote {output}: use it with --extractor learned.v1 --model-file {output}",
        highlight=False,
        markup=False,
    )
