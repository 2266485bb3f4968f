"""Files from a watched folder, read as hostile: never through a symbolic link, only
regular files, never more than a limit, and JSON's nesting counted before parsing."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

from ipledger.errors import IpledgerError


class UnsafeFileError(IpledgerError, ValueError):
    """A path in the source folder is a link, not a regular file, or too large."""


def sha256_of_regular_file(path: Path, *, limit: int) -> str:
    """The sha256 (hex) of `path`, read in chunks (a document may be large), refusing
    what `read_regular_file` refuses."""
    digest = hashlib.sha256()
    with _open_regular(path, limit=limit) as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_regular_file(path: Path, *, limit: int) -> bytes:
    """The bytes of `path`, refusing a symbolic link (never followed), anything that is
    not a regular file (a directory, a FIFO that would block) and more than `limit` bytes."""
    with _open_regular(path, limit=limit) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnsafeFileError(f"is over {limit} bytes")
    return data


def _open_regular(path: Path, *, limit: int) -> BinaryIO:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFileError("is a symbolic link (links are never followed)") from None
        if exc.errno == errno.ENOENT:
            raise FileNotFoundError(str(path)) from None
        raise UnsafeFileError(f"cannot be opened ({exc.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise UnsafeFileError("is not a regular file")
    if info.st_size > limit:
        os.close(fd)
        raise UnsafeFileError(f"is {info.st_size} bytes (at most {limit})")
    return os.fdopen(fd, "rb")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text` (outside strings), counted without
    parsing, so a file of a million '[' costs a scan, not the parser's stack."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest
