"""Team quality reports over whole helpdesk exports: import, find the refusals, analyze, report.

``run_qa(export, out_dir, QAOptions(fmt=...))`` is the library entry point (``tactful qa`` is a thin
layer over it); see docs/qa.md.
"""

from tactful.qa.checkpoint import Totals
from tactful.qa.conversation import Conversation, Problem, QAError, Turn
from tactful.qa.formats import FORMATS
from tactful.qa.runner import CHUNK_ITEMS, QAOptions, QASummary, run_qa

__all__ = [
    "CHUNK_ITEMS",
    "FORMATS",
    "Conversation",
    "Problem",
    "QAError",
    "QAOptions",
    "QASummary",
    "Totals",
    "Turn",
    "run_qa",
]
