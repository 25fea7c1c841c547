"""`assistant eval checkpost FILE`: per-category recall and precision, macro recall, clean false-positive rate."""

from __future__ import annotations

import json
from pathlib import Path

import click

from assistant.commands.common import services


@click.command(name="checkpost")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--council", help="Own council for citation order (does not change findings).")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def checkpost(file: Path, council: str | None, as_json: bool) -> None:
    """Score the post checker on a labelled JSONL set ({"id", "text", "expect", "must_not"})."""
    from assistant.checking.evaluation import CATEGORIES, HIGH_SEVERITY, evaluate, load_items

    items = load_items(file)
    report = evaluate(services(council).checker, items, council=council)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
        return
    data = report.to_json()
    click.echo(f"{report.items} items, {report.clean} clean. Recall: any finding of the category, any severity; "
               "precision: over findings at medium/high.")
    click.echo(f"{'category':<18}{'support':>8}{'recall':>8}{'rec@med+':>9}{'raised':>8}{'precision':>10}")
    for c in CATEGORIES:
        row = data["per_category"].get(c)
        if row:
            mark = " *" if c in HIGH_SEVERITY else ""
            click.echo(f"{c + mark:<18}{row['support']:>8}{_f(row['recall']):>8}{_f(row['recall_medium_high']):>9}"
                       f"{row['raised_medium_high']:>8}{_f(row['precision']):>10}")
    click.echo("(* high-severity category)")
    click.echo(f"macro recall {data['macro_recall']:.3f}   clean false-positive rate {data['clean_fp_rate']:.3f}"
               f" ({len(report.clean_flagged)}/{report.clean})")
    if report.risky:
        click.echo(f"risky drafts warned (any category): {data['risky_warned_any']:.3f} with any finding, "
                   f"{data['risky_warned_medium_high']:.3f} at medium/high ({report.risky} risky)")
    click.echo(f"must_not violations: {len(report.must_not_violations)}"
               + (" — " + ", ".join(f"{i}:{c}" for i, c in report.must_not_violations) if report.must_not_violations else ""))
    if report.misses:
        click.echo("misses: " + ", ".join(f"{i}:{c}" for i, c in report.misses))
    if report.errors:
        click.echo("errors: " + ", ".join(f"{i}: {e}" for i, e in report.errors))
    click.echo("targets: " + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in data["targets_met"].items()))


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"
