"""The one error a pull stops with: a line for the user, without a secret in it."""

from __future__ import annotations


class PullError(Exception):
    """The pull cannot start or go on; what was committed before stays, and a rerun continues."""
