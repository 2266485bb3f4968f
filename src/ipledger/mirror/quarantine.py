"""Moving bad files out of the source folder, safely against whoever can write there.

The file-drop user is trusted less than the mirror's keys, and can write in the source
folder and its `quarantine/`. So every operation goes through directory file
descriptors opened once per pass (`O_NOFOLLOW`): swapping `quarantine` for a link after
that changes nothing. An entry is moved with rename(2), which moves a link as a link and
never writes through one; it goes to a name nothing occupies; its reason is created
with `O_EXCL`. When `quarantine` is not a directory of its own (a link, a file), bad
files stay where they are and are only recorded, once, in the outbox: no pass stops.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


class Quarantine:
    """`source/quarantine`, held open for one pass."""

    def __init__(self, source: Path) -> None:
        self.source_fd = os.open(source, os.O_RDONLY | os.O_DIRECTORY)
        with contextlib.suppress(FileExistsError):
            os.mkdir("quarantine", dir_fd=self.source_fd)
        try:
            self.fd: int | None = os.open("quarantine", DIR_FLAGS, dir_fd=self.source_fd)
        except OSError:
            self.fd = None  # a link or a file: nothing is moved there
        self.folder = source / "quarantine"

    def __enter__(self) -> Quarantine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.fd is not None:
            os.close(self.fd)
        os.close(self.source_fd)

    def move(self, name: str, reason: str) -> str:
        """Move entry `name` of the source folder to a free name in quarantine, with its
        reason beside it; returns where it went, or why it stayed."""
        if self.fd is None:
            return f"left in place: {self.folder} is not a directory of its own"
        target = self._free_name(name)
        if target is None:
            return "left in place: no free name for it in quarantine"
        try:
            os.rename(name, target, src_dir_fd=self.source_fd, dst_dir_fd=self.fd)
        except OSError as exc:
            return f"left in place: could not be moved ({exc.strerror})"
        reason_name = self._free_name(target + ".reason.txt")
        if reason_name is not None:
            self._write_new(reason_name, reason + "\n")
        return str(self.folder / target)

    def _free_name(self, name: str) -> str | None:
        """`name`, or `name.1`, `name.2`...: the first nothing (not even a dangling link)
        occupies; None when 100 are taken or the names are refused (too long)."""
        for n in range(100):
            candidate = f"{name}.{n}" if n else name
            try:
                os.stat(candidate, dir_fd=self.fd, follow_symlinks=False)
            except FileNotFoundError:
                return candidate
            except OSError:
                return None  # e.g. a name too long for the file system
        return None

    def _write_new(self, name: str, text: str) -> None:
        """Create `name` with `text`; never through a link, never over an existing file
        (if one appeared meanwhile, the reason is still in the outbox)."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        try:
            fd = os.open(name, flags, 0o644, dir_fd=self.fd)
        except OSError:
            return
        with os.fdopen(fd, "w", errors="backslashreplace") as handle:
            handle.write(text)
