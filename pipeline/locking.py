"""Locks on an output folder, so that runs and readers never see or delete each other's work.

- A run holds an exclusive lock on `OUTPUT/.lock` from start to end (`OutputLock`): a second
  run on the same folder fails at once with `LockedError`, or waits for the first one.
- A reader pins one generation (`pinned_generation`): it holds a shared lock on the generation
  folder that `current` pointed at, so that every table it reads comes from that one run and a
  run that finishes meanwhile does not delete it (`remove_generations` skips held folders;
  a later run removes them).

The locks are `flock(2)` locks: the kernel releases them when the holder ends, even by kill -9.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import LockedError, OutputError

log = logging.getLogger(__name__)

LOCK_FILE = ".lock"
CURRENT = "current"
#: Attempts to pin a generation while runs keep replacing it.
PIN_ATTEMPTS = 50


class OutputLock:
    """An exclusive lock on an output folder for a whole run; use as a context manager.

    `wait=False`: raise `LockedError` at once when another run holds the folder; `wait=True`:
    block until it is released. The holder's process id is written into the lock file, for the
    message of the run that finds it locked."""

    def __init__(self, output: Path, *, wait: bool = False) -> None:
        self.output = output
        self.wait = wait
        self.fd: int | None = None

    def __enter__(self) -> OutputLock:
        path = self.output / LOCK_FILE
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as exc:
            raise OutputError(f"cannot write the output folder {self.output}: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            if not self.wait:
                os.close(fd)
                raise LockedError(
                    f"output folder {self.output} is in use by another run{holder}; "
                    "wait for it to finish or use --wait"
                ) from None
            log.warning("output folder %s is in use by another run%s: waiting", self.output, holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass  # the pid is only for the message; a full disk must not stop the run here
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock
            self.fd = None


def _read_holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


@contextmanager
def pinned_generation(output: Path) -> Iterator[Path]:
    """The folder of the current generation of `output`, held (shared lock) for the block.

    Read every table through the yielded folder, not through `output/<table>.csv` (which
    follow `current` and may switch between two reads). Output folders written before
    generations existed have no `current`: then `output` itself is yielded, unpinned."""
    link = output / CURRENT
    for _ in range(PIN_ATTEMPTS):
        if not link.is_symlink():
            yield output
            return
        try:
            folder = link.resolve(strict=True)
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except (FileNotFoundError, NotADirectoryError):
            continue  # removed between the two steps: current has moved on
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            if os.fstat(fd).st_nlink == 0:
                continue  # removed before the lock was granted
            yield folder
            return
        finally:
            os.close(fd)
    raise OutputError(f"the tables in {output} keep changing; cannot pin one generation")


def remove_generations(folder: Path, keep: str) -> bool:
    """Remove every generation in `folder` but `keep`, except those a reader holds (they are
    left for a later run). True when none is left but `keep`."""
    all_removed = True
    for old in sorted(folder.iterdir()):
        if old.name == keep:
            continue
        try:
            fd = os.open(old, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except FileNotFoundError:
            continue
        except NotADirectoryError:
            old.unlink(missing_ok=True)
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK):
                raise
            log.info("generation %s is being read: left for a later run", old.name)
            all_removed = False
        else:
            shutil.rmtree(old, ignore_errors=True)
        finally:
            os.close(fd)
    return all_removed
