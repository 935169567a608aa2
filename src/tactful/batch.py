"""The old home of :mod:`tactful.bulk.batch`; its public names stay importable from here."""

from tactful.bulk import (
    CHUNK_BYTES,
    CHUNK_RECORDS,
    BatchError,
    BatchOptions,
    BatchSummary,
    CountingReader,
    Reject,
    default_jobs,
    detect_format,
    run_batch,
)

__all__ = [
    "CHUNK_BYTES",
    "CHUNK_RECORDS",
    "BatchError",
    "BatchOptions",
    "BatchSummary",
    "CountingReader",
    "Reject",
    "default_jobs",
    "detect_format",
    "run_batch",
]
