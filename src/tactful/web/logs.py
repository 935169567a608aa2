"""Keep secrets out of the server's logs.

Chatwoot cannot send custom headers, so its webhook URL carries the shared secret as
``?token=``; uvicorn's access log writes every request's path *with* its query string. This
filter masks such values before any handler sees the record.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
# Query parameters whose value is a credential (names matched case-insensitively).
_SECRET_PARAM = re.compile(r"([?&](?:token|secret|api_key|apikey|access_token)=)[^&#\s]*", re.IGNORECASE)


def mask_secrets(text: str) -> str:
    """``text`` with the values of credential query parameters replaced by ``***``."""
    return _SECRET_PARAM.sub(r"\1***", text)


class SecretQueryFilter(logging.Filter):
    """Masks credential query parameters in a record's message and arguments (never drops it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_secrets(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_log_redaction(name: str = ACCESS_LOGGER) -> None:
    """Add the filter to logger ``name`` once (idempotent; uvicorn's logging config keeps it)."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, SecretQueryFilter) for f in logger.filters):
        logger.addFilter(SecretQueryFilter())
