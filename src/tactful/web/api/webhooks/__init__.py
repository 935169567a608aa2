"""Helpdesk webhooks, served under ``/v1/webhooks``: Chatwoot ``message_created`` and Zendesk ticket
comments.

An agent's outgoing reply is analyzed; a customer's incoming message is understood, decided under
the policies and drafted. Either way the answer carries the structured result and ``note``: plain
text the helpdesk can post as a private note. Private messages and notes are ignored, so posting
that note never triggers another round.

:mod:`.flow` is what every vendor goes through (verify → parse → dispatch); each vendor's module
(:mod:`.chatwoot`, :mod:`.zendesk`) holds its payload models, its signature check and how to read
the message out of its payload; :mod:`.notes` writes the notes. A new helpdesk is one more module
like those two, and one more line below.
"""

from __future__ import annotations

from fastapi import APIRouter

from tactful.web.api.webhooks import chatwoot, zendesk
from tactful.web.api.webhooks.flow import Sent
from tactful.web.api.webhooks.notes import analysis_note, draft_note
from tactful.web.api.webhooks.zendesk import zendesk_signature

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
router.include_router(chatwoot.router)
router.include_router(zendesk.router)

__all__ = ["Sent", "analysis_note", "draft_note", "router", "zendesk_signature"]
