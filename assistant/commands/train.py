"""`assistant train`: reproduce the shipped artefacts from the written data on a CPU (needs torch and peft)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from assistant.config import MODELS_DIR
from assistant.training.data import DATASETS_DIR


@click.group()
def train() -> None:
    """Train the retrieval adapter and abstention, or the post-checker classifier, from datasets/."""


def _options(default_out: Path):
    def wrap(f):
        f = click.option("--out", type=click.Path(path_type=Path), default=default_out, show_default=True,
                         help="Where to write the artefacts (the package's own folder by default).")(f)
        f = click.option("--data", type=click.Path(path_type=Path, exists=True, file_okay=False),
                         default=DATASETS_DIR, show_default=True, help="The datasets folder (with splits.json).")(f)
        f = click.option("--epochs", type=int, default=None, help="Override the configured number of epochs.")(f)
        f = click.option("--recalibrate", is_flag=True, help=(
            "Keep the trained adapter (and head); re-choose what is calibrated and re-validate (minutes)."))(f)
        return f
    return wrap


@train.command()
@_options(MODELS_DIR / "retrieval")
def retrieval(out: Path, data: Path, epochs: int | None, recalibrate: bool) -> None:
    """Fine-tune a LoRA adapter for search; choose fusion weights and fit the abstention classifier."""
    from dataclasses import replace

    from assistant.config import Settings
    from assistant.training.retrieval import RetrievalConfig, calibrate_and_validate, train_retrieval

    config = RetrievalConfig() if epochs is None else replace(RetrievalConfig(), epochs=epochs)
    run = calibrate_and_validate if recalibrate else train_retrieval
    provenance = run(Settings(), out, config=config, data_dir=data, echo=lambda m: click.echo(m, err=True))
    click.echo(json.dumps({"validation": provenance["validation"]}, indent=2))


@train.command()
@_options(MODELS_DIR / "checker")
def checker(out: Path, data: Path, epochs: int | None, recalibrate: bool) -> None:
    """Fine-tune the post-checker classifier (LoRA + multi-label head) and calibrate its thresholds."""
    from dataclasses import replace

    from assistant.config import Settings
    from assistant.training.checker import CheckerConfig, calibrate_and_validate, train_checker

    config = CheckerConfig() if epochs is None else replace(CheckerConfig(), epochs=epochs)
    if recalibrate:
        provenance = calibrate_and_validate(Settings(), out, config=config, data_dir=data)
    else:
        provenance = train_checker(Settings(), out, config=config, data_dir=data,
                                   echo=lambda m: click.echo(m, err=True))
    summary = {k: v for k, v in provenance["validation_classifier_alone"].items() if k != "per_category"}
    click.echo(json.dumps({"validation_classifier_alone": summary}, indent=2))
