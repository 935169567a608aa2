"""``tactful qa EXPORT... --from FORMAT --out DIR``: the click layer over :mod:`tactful.qa`.

Exit status: 0 done (the report says how many records were corrupt and skipped); 1 not one conversation
could be read (every record corrupt; the report and problems.jsonl say why); 2 the run could not
start or the export is of the wrong shape (the message names the file and the field); 130 interrupted
(what was committed stays in DIR; the same command continues from there).
"""

from __future__ import annotations

import click

from tactful.cli.common import fail, load_config_or_fail
from tactful.cli.options import config_option
from tactful.cli.progress import progress_bar

#: The same as ``tactful.qa.FORMATS`` (a test checks it); kept here so ``tactful --help`` stays light.
FORMATS = ("zendesk", "freshdesk", "helpscout", "intercom", "chatwoot", "twcs", "ibm", "csv", "jsonl")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("exports", nargs=-1, required=True, type=click.Path())
@click.option(
    "--from",
    "fmt",
    required=True,
    metavar="FORMAT",
    help=f"The export's format: {', '.join(FORMATS)}.",  # checked by run_qa, whose error names the file
)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Report folder.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", help="Dask scheduler address for --engine dask, e.g. tcp://10.0.0.5:8786.")
@click.option("--workers", type=click.IntRange(min=1), help="Local worker processes (default: all cores).")
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Agent turns per chunk (the unit of work and of resuming).",
)
@click.option("--restart", is_flag=True, help="Discard an earlier run in DIR and start over.")
@config_option
@click.option("--no-progress", is_flag=True, help="No progress bar (it is off anyway when stderr is no TTY).")
def qa(
    exports: tuple[str, ...],
    fmt: str,
    out_dir: str,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    chunk_size: int,
    restart: bool,
    config_path: str | None,
    no_progress: bool,
) -> None:
    """Team report on how agents say no, from a helpdesk EXPORT into DIR.

    EXPORT is a file, or several files and folders of one export (tickets and their comments apart,
    a folder of API pages): the helpdesks' data is joined by ticket id. Finds the agent turns that
    refuse something, analyzes each with the customer turn it answers, and writes turns.jsonl,
    agents.csv, characteristics.csv and report.html. Interrupted or crashed? Run the same command
    again: it continues without redoing or duplicating work.
    """
    from tactful.qa import QAError, QAOptions, Totals, run_qa

    export = exports[0] if len(exports) == 1 else ", ".join(exports)

    config = load_config_or_fail(config_path)
    if scheduler and engine != "dask":
        fail("--scheduler only applies to --engine dask")
    options = QAOptions(
        fmt=fmt,
        engine=engine,
        scheduler=scheduler,
        workers=workers,
        chunk_size=chunk_size,
        restart=restart,
        config=config,
    )
    bar = progress_bar(not no_progress, "[bold]qa[/]", "{task.fields[refusals]:,} refusals")

    def on_progress(done: int, total: int, totals: Totals) -> None:
        if bar is not None:
            bar.show(done, total, refusals=totals.refusals)

    try:
        if bar is not None:
            with bar.progress:
                summary = run_qa(list(exports), out_dir, options, on_progress)
        else:
            summary = run_qa(list(exports), out_dir, options)
    except QAError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail(f"interrupted; what was done is kept in {out_dir}: run the same command to continue", 130)
    t = summary.totals
    resumed = f" (resumed at chunk {summary.resumed_from_chunk})" if summary.resumed_from_chunk else ""
    if summary.empty and t.problems:
        where = f"{out_dir}/problems.jsonl"
        fail(f"{export}: no conversation could be read ({t.problems:,} problems, listed in {where})", 1)
    if summary.empty:
        click.echo(
            f"tactful qa: {export} is empty: no conversations; the report in {out_dir} says so", err=True
        )
        return
    click.echo(
        f"tactful qa{resumed}: {t.conversations:,} conversations, {t.agent_turns:,} agent turns, "
        f"{t.refusals:,} refusals analyzed, {t.problems:,} problems{_left_out(t)}; {summary.elapsed:.1f} s; "
        f"report: {out_dir}/report.html",
        err=True,
    )


def _left_out(totals: object) -> str:
    """Bot turns and internal notes read but left out of the scores, when there were any."""
    bots, notes = getattr(totals, "bot_turns", 0), getattr(totals, "notes", 0)
    return f" ({bots:,} bot turns and {notes:,} internal notes left out)" if bots or notes else ""
