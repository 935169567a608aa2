"""Reading user-supplied text files with errors that name the file, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

from tactful.errors import InputError as InputError


def decode(data: bytes, name: str) -> str:
    """Strict UTF-8 (a BOM is dropped); binary data and other encodings are refused by name."""
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks like a binary file (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it first, e.g. `iconv -f latin1 -t utf-8`"
        ) from None


def open_binary(path: str | Path) -> BinaryIO:
    """Open ``path`` for reading bytes; the caller closes it."""
    try:
        return open(path, "rb")  # noqa: SIM115 - returned to the caller
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def read_text(path: str | Path) -> str:
    """Read ``path`` (``-`` is standard input) as UTF-8 text."""
    if str(path) == "-":
        return decode(sys.stdin.buffer.read(), "<stdin>")
    with open_binary(path) as f:
        try:
            data = f.read()
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    return decode(data, str(path))
