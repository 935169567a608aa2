"""``tactful eval``: measure the analyzer on the shared labelled data and the seeds' pairs."""

from __future__ import annotations

import click

from tactful.cli.common import check_config_or_fail, fail
from tactful.cli.options import checked_config_option

EVALUATIONS = {
    "real": "Real customer-care replies judged as a reviewer does (companies held out)",
    "seeds": "The seeds' before/after phrasings (the overall score must order every pair)",
    "refusal": "is_refusal on Schema-Guided Dialogue outcomes and real agent replies",
    "politeness": "Politeness: the Stanford corpus' binary task (top vs bottom quartile, within domain)",
}


@click.command("eval")
@click.argument("what", nargs=-1, type=click.Choice(list(EVALUATIONS)))
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False),
    help="The shared data folder (default: $TACTFUL_SHARED_DATA or ../shared/data).",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write the Markdown report here too.")
@checked_config_option
def eval_command(
    what: tuple[str, ...], data_dir: str | None, out: str | None, config_path: str | None
) -> None:
    """Measure the analyzer: real replies, seed before/after pairs, is_refusal, politeness (default: all)."""
    from pathlib import Path

    from tactful.evaluation import default_data_dir, politeness, real_replies, refusal, seeds

    check_config_or_fail(config_path)
    folder = Path(data_dir) if data_dir else default_data_dir()
    sections = []
    for name in what or EVALUATIONS:
        try:
            if name == "real":
                body = real_replies.format_report(real_replies.evaluate(folder))
            elif name == "seeds":
                body = seeds.format_report(seeds.evaluate())
            elif name == "refusal":
                body = refusal.format_report(refusal.evaluate(folder))
            else:
                body = politeness.format_report(politeness.evaluate(folder))
        except FileNotFoundError as exc:
            fail(str(exc))
        sections.append(f"## {EVALUATIONS[name]}\n\n{body}\n")
    report = (
        "# tactful evaluation\n\nMade by `tactful eval --out docs/evaluation.md` "
        f"(data: `{folder}`).\n\n" + "\n".join(sections)
    )
    click.echo(report)
    if out:
        Path(out).write_text(report, encoding="utf-8")
