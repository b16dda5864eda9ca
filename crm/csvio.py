"""Streaming CSV in and out: UTF-8 with or without BOM (what Excel writes), line numbers for
error reports, byte progress for progress bars, and the per-row error report file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from crm.errors import InvalidInput


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    reason: str


class CsvSource:
    """Rows of a CSV file one at a time; `position` is how many bytes have been consumed."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise InvalidInput(f"找不到文件 {path}")
        self.path = path
        self.size = path.stat().st_size
        self._raw: BinaryIO = path.open("rb")
        self._text = io.TextIOWrapper(self._raw, encoding="utf-8-sig", newline="")
        self._reader = csv.DictReader(self._text)

    @property
    def position(self) -> int:
        return self._raw.tell()

    def header(self) -> list[str]:
        try:
            names = self._reader.fieldnames
        except UnicodeDecodeError:
            raise InvalidInput(
                f"{self.path} 不是 UTF-8 编码：请在 Excel 中另存为 “CSV UTF-8”"
            ) from None
        if not names:
            raise InvalidInput(f"{self.path} 是空文件或缺少表头")
        return [n.strip() for n in names]

    def rows(self) -> Iterator[CsvRow]:
        header = self.header()
        try:
            for raw in self._reader:
                values = {
                    name: (value or "").strip()
                    for name, value in zip(header, raw.values(), strict=False)
                    if isinstance(value, str) or value is None
                }
                yield CsvRow(self._reader.line_num, values)
        except UnicodeDecodeError:
            raise InvalidInput(
                f"{self.path} 含有非 UTF-8 字符（第 {self._reader.line_num} 行附近）"
            ) from None

    def __enter__(self) -> CsvSource:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._text.close()


class ErrorReport:
    """Writes each rejected row as it happens (line, field, reason), keeping only a count."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.count = 0
        self.first: list[RowError] = []
        self._file = path.open("w", encoding="utf-8-sig", newline="") if path else None
        self._writer = csv.writer(self._file) if self._file else None
        if self._writer:
            self._writer.writerow(["line", "field", "reason"])

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.first) < 20:
            self.first.append(error)
        if self._writer:
            self._writer.writerow([error.line, error.field, error.reason])

    def close(self) -> None:
        if self._file:
            self._file.close()
