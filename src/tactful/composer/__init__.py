"""Drafts of replies: a deterministic core that fills templates (``templates.yml``) from the
customer's message, the policy decision and the facts, then analyzes every draft."""

from tactful.composer.core import CHANNELS, MAX_VARIANTS, Draft, compose, load_templates
from tactful.composer.rewrite import Change, Rewrite, rewrite

__all__ = ["CHANNELS", "MAX_VARIANTS", "Change", "Draft", "Rewrite", "compose", "load_templates", "rewrite"]
