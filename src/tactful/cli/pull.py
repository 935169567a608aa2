"""``tactful pull zendesk|freshdesk|chatwoot --url URL --out FILE``: the click layer over
:mod:`tactful.pull`.

Exit status: 0 done; 2 the pull could not start or go on (one line says why; what was committed is
kept and the same command continues); 130 interrupted (likewise).
"""

from __future__ import annotations

import click

from tactful.cli.common import check_config_or_fail, fail
from tactful.cli.options import checked_config_option

VENDORS = ("zendesk", "freshdesk", "chatwoot")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("helpdesk", type=click.Choice(VENDORS))
@click.option(
    "--url",
    required=True,
    help="The helpdesk: https://SUBDOMAIN.zendesk.com, https://DOMAIN.freshdesk.com, https://app.chatwoot.com.",
)
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False), help="JSONL to write (for tactful qa)."
)
@click.option("--account", help="Chatwoot: the account id (the number in the app's URLs).")
@click.option("--since", help="The first pull only: conversations changed since this date (ISO 8601).")
@click.option(
    "--credentials",
    "credentials_file",
    type=click.Path(dir_okay=False),
    help="File of NAME=value lines (TACTFUL_ZENDESK_API_TOKEN, ...); the environment wins over it.",
)
@click.option(
    "--pagination",
    type=click.Choice(["cursor", "offset"]),
    default="cursor",
    show_default=True,
    help="Zendesk: the cursor-based export, or the time-based one with next_page links.",
)
@click.option("--restart", is_flag=True, help="Forget earlier pulls into --out and pull everything again.")
@checked_config_option
def pull(
    helpdesk: str,
    url: str,
    out: str,
    account: str | None,
    since: str | None,
    credentials_file: str | None,
    pagination: str,
    restart: bool,
    config_path: str | None,
) -> None:
    """Fetch a helpdesk's conversations by API into tactful's neutral JSONL.

    The first run fetches everything (or what changed --since); later runs only what changed since
    the last. Killed or failed midway? Run the same command again: it goes on from the last page it
    committed, without duplicates. Credentials come from the environment (or --credentials FILE) and
    are never printed. Then: tactful qa OUT --from jsonl --out DIR.
    """
    from tactful.pull import PullError, PullOptions
    from tactful.pull import pull as run_pull

    check_config_or_fail(config_path)
    options = PullOptions(
        url=url,
        out=out,
        credentials_file=credentials_file,
        since=since,
        pagination=pagination,
        account=account,
        restart=restart,
    )
    try:
        summary = run_pull(
            helpdesk,
            options,
            on_problem=lambda p: click.echo(f"tactful pull: problem: {p.position}: {p.reason}", err=True),
        )
    except PullError as exc:
        fail(f"{helpdesk}: {exc}; what was pulled before is kept: run the same command to continue")
    except KeyboardInterrupt:
        fail(f"interrupted; what was pulled is kept in {out}'s state: run the same command to continue", 130)
    s = summary
    click.echo(
        f"tactful pull {helpdesk}: {s.changed:,} conversations new or changed in {s.pages:,} pages "
        f"({s.requests:,} requests), {s.deleted:,} removed, {len(s.problems):,} problems; "
        f"{s.total:,} in {out}; {s.elapsed:.1f} s. Next: tactful qa {out} --from jsonl --out DIR",
        err=True,
    )
