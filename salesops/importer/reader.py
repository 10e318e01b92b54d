"""Streaming CSV reading: UTF-8 with or without BOM, LF or CRLF, physical line numbers."""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from salesops.importer.conf import progress_min_rows
from salesops.importer.report import FileReport

# A file given as a path, or an open binary file (e.g. an uploaded file).
ImportSource = str | os.PathLike[str] | IO[bytes] | Any


@dataclass
class SourceInfo:
    name: str
    size: int
    sha256: str
    lines: int


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


def source_name(source: ImportSource) -> str:
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return Path(str(getattr(source, "name", "upload") or "upload")).name


def _open_binary(source: ImportSource) -> IO[bytes]:
    if isinstance(source, str | os.PathLike):
        return open(source, "rb")  # closed by the caller
    raw: IO[bytes] = getattr(source, "file", source)
    raw.seek(0)
    return raw


def inspect(source: ImportSource) -> SourceInfo:
    """Size, SHA-256 and line count in one binary pass (cheap even for a million rows)."""
    digest = hashlib.sha256()
    size = lines = 0
    last = b"\n"
    handle = _open_binary(source)
    try:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    finally:
        if isinstance(source, str | os.PathLike):
            handle.close()
    if last != b"\n":
        lines += 1
    return SourceInfo(name=source_name(source), size=size, sha256=digest.hexdigest(), lines=lines)


class _Lines:
    """Decodes the binary stream line by line, so each CSV record knows the physical line it
    starts on and a line that is not UTF-8 is reported on its own line (not as a chunk)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.lines_read = 0
        self.decode_error = ""

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = self.stream.readline()
        if not raw:
            raise StopIteration
        self.lines_read += 1
        if self.lines_read == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.decode_error = f"Line {self.lines_read} is not UTF-8 text ({exc.reason})."
            return raw.decode("utf-8", errors="replace")


def _advance(bar: Any, on_lines: Callable[[int], None] | None, lines: int) -> None:
    bar.update(lines)
    if on_lines is not None:
        on_lines(lines)


def _report_width(report: FileReport, line: int, header: list[str], record: list[str]) -> None:
    """A row longer than the header is unreadable; a shorter one lacks columns: say which (a
    missing cell is not a bad or empty value)."""
    if len(record) > len(header):
        report.error(line, "", f"The row has {len(record)} fields; the header has {len(header)}.")
        return
    missing = header[len(record) :]
    names = ", ".join(f"'{column}'" for column in missing)
    label = "column" if len(missing) == 1 else "columns"
    report.error(
        line,
        missing[0],
        f"Missing {label} {names} in this row: it has {len(record)} fields, "
        f"the header has {len(header)}.",
    )


def read_rows(
    source: ImportSource,
    report: FileReport,
    *,
    required: tuple[str, ...],
    one_of: tuple[str, ...] = (),
    progress: bool = False,
    total: int = 0,
    on_lines: Callable[[int], None] | None = None,
) -> Iterator[Row]:
    """Yield the data rows of a CSV file, each with the physical line it starts on.

    A missing required column is one error on line 1 and the file yields nothing. Blank lines are
    skipped. `one_of`: at least one of these columns must be present (e.g. sales_agent or team).
    """
    handle = _open_binary(source)
    try:
        counter = _Lines(handle)
        reader = csv.reader(counter)
        try:
            header = [name.strip().lower() for name in next(reader)]
        except StopIteration:
            report.error(1, "", "The file is empty: expected a header line.")
            return
        if counter.decode_error:
            report.error(1, "", counter.decode_error)
            return
        missing = [column for column in required if column not in header]
        if one_of and not any(column in header for column in one_of):
            missing.append(" or ".join(one_of))
        for column in missing:
            report.error(1, column, f"Missing column '{column}'; the file was not imported.")
        if missing:
            return
        known = set(required) | set(one_of)
        for column in header:
            if column not in known:
                report.warning(1, column, f"Unknown column '{column}' is ignored.")
        bar = tqdm(
            total=max(total - 1, 0),
            desc=report.kind,
            unit=" rows",
            file=sys.stderr,
            disable=not progress or total < progress_min_rows(),
            leave=False,
        )
        with bar:
            while True:
                start = counter.lines_read + 1
                counter.decode_error = ""
                try:
                    record = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    report.error(start, "", f"Unreadable CSV: {exc}.")
                    continue
                _advance(bar, on_lines, counter.lines_read - start + 1)
                if not any(cell.strip() for cell in record):
                    continue
                report.rows += 1
                if counter.decode_error:
                    report.error(start, "", counter.decode_error)
                    continue
                if len(record) != len(header):
                    _report_width(report, start, header, record)
                    continue
                yield Row(line=start, values=dict(zip(header, record, strict=False)))
    finally:
        if isinstance(source, str | os.PathLike):
            handle.close()
