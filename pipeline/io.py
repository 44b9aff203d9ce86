"""Atomic file writing and spreadsheet-safe CSV export, shared by every stage that writes."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def _file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


#: Permissions of written files: what the user's umask allows (usually 0644).
FILE_MODE = _file_mode()
#: Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def temporary_beside(path: Path) -> tuple[int, Path]:
    """An open descriptor and the path of a new shareable temporary file beside `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE)  # mkstemp makes 0600 files; tables are for sharing
    except OSError:
        os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    return fd, Path(tmp)


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside `path`, then rename it over `path`."""
    fd, tmp = temporary_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: Path, obj: Any) -> None:
    write_text_atomic(path, json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def neutralize_cell(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with a quote; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class CsvTable:
    """A CSV table written row by row (header first, text cells neutralized) to a temporary
    file that `close()` renames into place; `rows` counts the rows written."""

    def __init__(
        self, path: Path, columns: Sequence[str], *, delimiter: str = ",", bom: bool = False
    ) -> None:
        self.path = path
        fd, self._tmp = temporary_beside(path)
        self._stream = os.fdopen(fd, "w", encoding="utf-8", newline="")
        if bom:
            self._stream.write("\ufeff")
        self._writer = csv.writer(self._stream, delimiter=delimiter, lineterminator="\n")
        self._writer.writerow(columns)
        self.rows = 0

    def write(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self._writer.writerow(["" if v is None else neutralize_cell(v) for v in row])
            self.rows += 1

    def close(self) -> None:
        self._stream.flush()
        os.fsync(self._stream.fileno())
        self._stream.close()
        self._tmp.replace(self.path)

    def abort(self) -> None:
        """Drop the temporary file, even when closing it fails (a full disk fails the flush)."""
        try:
            self._stream.close()
        except OSError:
            pass
        finally:
            self._tmp.unlink(missing_ok=True)
