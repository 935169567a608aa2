"""Bulk runs over large inputs: ``tactful batch`` (:mod:`.batch`) and the machinery ``tactful qa``
shares with it, one input reader (:mod:`.reader`) and one bounded in-order process pool (:mod:`.pool`)."""

from tactful.bulk.batch import (
    CHUNK_BYTES,
    CHUNK_RECORDS,
    BatchError,
    BatchOptions,
    BatchSummary,
    Reject,
    detect_format,
    run_batch,
)
from tactful.bulk.pool import default_jobs, ordered_map
from tactful.bulk.reader import BinaryInput, CountingReader, InputFile, looks_binary

__all__ = [
    "CHUNK_BYTES",
    "CHUNK_RECORDS",
    "BatchError",
    "BatchOptions",
    "BatchSummary",
    "BinaryInput",
    "CountingReader",
    "InputFile",
    "Reject",
    "default_jobs",
    "detect_format",
    "looks_binary",
    "ordered_map",
    "run_batch",
]
