"""The store's commands: log replies, read a customer's history, follow-ups, declined requests,
reports, export/import, users and the schema. Thin: each command calls :mod:`tactful.store`, and
each takes ``--db`` and ``--config``."""

from __future__ import annotations

from tactful.cli.store.admin import db_group, users_group
from tactful.cli.store.cases import (
    feedback_command,
    history_command,
    log_command,
    outcome_command,
    similar_command,
)
from tactful.cli.store.declined import requests_group
from tactful.cli.store.followups import followups_group
from tactful.cli.store.reporting import report_command
from tactful.cli.store.transfer import export_command, import_command

COMMANDS = (
    log_command,
    history_command,
    followups_group,
    requests_group,
    feedback_command,
    outcome_command,
    report_command,
    similar_command,
    export_command,
    import_command,
    users_group,
    db_group,
)
