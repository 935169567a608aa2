"""``tactful batch IN OUT``: the click layer over :mod:`tactful.bulk.batch`.

Exit status: 0 when every record was analyzed and written; 1 when the run finished but some records
were rejected (each reported on stderr with its line number and listed in ``OUT.rejects.jsonl``; all
the others are in OUT); 2 when the run could not start (missing or binary input, unknown format, a
CSV without the text column, a bad config); 130 when interrupted (the partial output stays in
``OUT.part``, OUT is not created).
"""

from __future__ import annotations

import sys

import click

from tactful.cli.common import fail, load_config_or_fail
from tactful.cli.options import config_option, format_option
from tactful.cli.progress import progress_bar

#: Rejects echoed one by one on stderr before the rest are only counted (all are in the rejects file).
MAX_REJECTS_SHOWN = 20


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("input_path", metavar="IN", type=click.Path(allow_dash=True, dir_okay=False))
@click.argument("output_path", metavar="OUT", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--text-field", default="text", show_default=True, help="Field/column with the reply.")
@click.option("--customer-field", help="Field/column with the customer's message (empathy mirrors it).")
@click.option(
    "--id-field",
    default="id",
    show_default=True,
    help='Field/column carried through as "id" (default: the line/record number).',
)
@click.option(
    "--context-field", help="Field/column with a JSON object: policy, history, channel, timestamps."
)
@format_option("auto", "jsonl", "csv", help="Input format; auto goes by the extension (- is JSONL).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@config_option
@click.option("--no-progress", is_flag=True, help="No progress bar (it is off anyway when stderr is no TTY).")
def batch(
    input_path: str,
    output_path: str,
    text_field: str,
    customer_field: str | None,
    id_field: str,
    context_field: str | None,
    fmt: str,
    jobs: int | None,
    config_path: str | None,
    no_progress: bool,
) -> None:
    """Analyze every record of IN (JSONL or CSV; - is stdin) into OUT (JSONL; - is stdout).

    One analysis object per input record, with the record's "id". Malformed records are reported
    on stderr with their line number, listed in OUT.rejects.jsonl, and skipped; the rest go on.
    Exit 0: all written; 1: some rejected; 2: could not run.
    """
    from tactful.bulk import BatchError, BatchOptions, Reject, run_batch

    config = load_config_or_fail(config_path)
    options = BatchOptions(
        text_field=text_field,
        customer_field=customer_field,
        id_field=id_field,
        context_field=context_field,
        format=fmt,  # type: ignore[arg-type]  # click.Choice guarantees the literal
        jobs=jobs,
        config=config,
    )
    name = "<stdin>" if input_path == "-" else input_path
    shown = 0

    bar = progress_bar(not no_progress and input_path != "-", "analyzing")

    def on_reject(r: Reject) -> None:
        nonlocal shown
        shown += 1
        if shown <= MAX_REJECTS_SHOWN:
            where = f"{name}:{r.line}"
            msg = f"{where}: rejected: {r.reason}"
            (
                bar.progress.console.print(msg, markup=False, highlight=False)
                if bar
                else click.echo(msg, err=True)
            )

    try:
        if bar is not None:
            with bar.progress:
                summary = run_batch(
                    input_path, output_path, options, on_reject=on_reject, on_progress=bar.show
                )
        else:
            summary = run_batch(input_path, output_path, options, on_reject=on_reject)
    except BatchError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        where = "" if output_path == "-" else f"; partial output left in {output_path}.part"
        fail(f"interrupted{where}", 130)
    except BrokenPipeError:  # `tactful batch in.jsonl - | head`
        sys.stderr.close()
        sys.exit(1)

    noun = "lines" if summary.format == "jsonl" else "rows"
    if summary.rejected > shown:  # pragma: no cover - defensive
        shown = summary.rejected
    if shown > MAX_REJECTS_SHOWN:
        click.echo(f"… and {shown - MAX_REJECTS_SHOWN:,} more rejected", err=True)
    where = f" (listed in {summary.rejects_path})" if summary.rejects_path else ""
    click.echo(
        f"tactful batch: {summary.read:,} {noun} read, {summary.written:,} written, "
        f"{summary.rejected:,} rejected{where}; {summary.elapsed:.2f} s, {summary.rate:,.0f} {noun}/s",
        err=True,
    )
    if summary.rejected:
        sys.exit(1)
