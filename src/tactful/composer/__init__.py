"""Drafts of replies and rewrites of an agent's own: a deterministic core that fills templates
(``templates.yml``) and edits (``edits.py``) from the customer's message, the policy decision and
the facts, then analyzes every result."""

from tactful.composer.core import CHANNELS, MAX_VARIANTS, Draft, compose
from tactful.composer.rewrite import Change, Rewrite, rewrite
from tactful.composer.templates import load_templates

__all__ = ["CHANNELS", "MAX_VARIANTS", "Change", "Draft", "Rewrite", "compose", "load_templates", "rewrite"]
