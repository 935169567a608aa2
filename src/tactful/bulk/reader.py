"""Opening a bulk input (``tactful batch``, ``tactful qa``): one binary check for both, and the bytes
read counted, which is where the progress bar stands."""

from __future__ import annotations

import io
import os
import sys
from types import TracebackType
from typing import IO, Any

from tactful.errors import BinaryInput as BinaryInput
from tactful.textio import open_binary

__all__ = ["BINARY_MAGIC", "HEAD_BYTES", "BinaryInput", "CountingReader", "InputFile", "looks_binary"]

#: The first bytes of files that are not text: gzip, zip, PDF, bzip2, xz, zstd.
BINARY_MAGIC = (b"\x1f\x8b", b"PK\x03\x04", b"%PDF", b"BZh", b"\xfd7zXZ", b"\x28\xb5\x2f\xfd")
#: How much of the start of an input is checked.
HEAD_BYTES = 8192


def looks_binary(head: bytes) -> bool:
    """Whether an input starting with ``head`` is not text: a NUL byte (UTF-16 has them too), or the
    signature of a compressed file, an archive or a PDF."""
    return b"\x00" in head or head.startswith(BINARY_MAGIC)


class CountingReader(io.RawIOBase):
    """Wraps a binary stream and counts the bytes handed out (the progress position)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self._raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n


class InputFile:
    """One input, open: ``stream`` (buffered) reads it, ``counter.count`` is how far it got, ``size``
    is its length (None for standard input) and ``head`` its first bytes, already checked to be text.

    ``-`` is standard input when ``stdin`` is true. Raises :class:`~tactful.textio.InputError` for a
    file that cannot be opened and :class:`BinaryInput` for one that is not text.
    """

    def __init__(self, path: str, *, stdin: bool = True) -> None:
        self.path = path
        self.name = "<stdin>" if stdin and path == "-" else path
        self.size: int | None
        if stdin and path == "-":
            self.size = None
            raw: IO[bytes] = sys.stdin.buffer
            self._owned: IO[bytes] | None = None
        else:
            raw = open_binary(path)
            try:
                self.size = os.fstat(raw.fileno()).st_size
            except OSError:  # pragma: no cover
                self.size = None
            self._owned = raw
        self.counter = CountingReader(raw)
        self.stream: io.BufferedReader = io.BufferedReader(self.counter, buffer_size=1 << 20)
        self.head = self.stream.peek(HEAD_BYTES)[:HEAD_BYTES]
        if looks_binary(self.head):
            self.close()
            raise BinaryInput(self.name)

    def close(self) -> None:
        """Close the file (standard input is left open)."""
        if self._owned is not None:
            self._owned.close()

    def __enter__(self) -> InputFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
