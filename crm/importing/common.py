"""The shared import loop: stream the CSV in batches (constant memory), validate each row,
report every bad one (line, field, reason) without stopping, write the good ones per batch."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from crm.actors import Actor
from crm.csvio import CsvRow, CsvSource, ErrorReport, RowError
from crm.errors import InvalidInput

IDENTITIES = ("openid", "external_userid", "unionid", "phone")
T = TypeVar("T")
Progress = Callable[[int], None]
log = logging.getLogger("siyu.import")


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    first_errors: tuple[RowError, ...] = ()
    error_file: Path | None = None
    without_consent: int = 0  # PIPL: imported or updated with no consent to marketing on record


# Writes one batch of validated rows (line, row) to the database, counting into the report.
WriteBatch = Callable[[list[tuple[int, T]], ImportReport, ErrorReport], Awaitable[None]]


async def run_import(
    path: Path,
    parse: Callable[[CsvRow], T],
    write_batch: WriteBatch[T],
    error_file: Path | None,
    batch_size: int,
    on_progress: Progress | None,
    actor: Actor,
) -> ImportReport:
    report, errors = ImportReport(error_file=error_file), ErrorReport(error_file)
    try:
        with CsvSource(path) as source:
            for batch in _batches(source.rows(), batch_size):
                await write_batch(_validate(batch, parse, errors, report), report, errors)
                if on_progress:
                    on_progress(source.position)
    finally:
        errors.close()
    report.errors, report.first_errors = errors.count, tuple(errors.first)
    log.info(
        "import of %s by %s: %d rows, %d created, %d updated, %d rejected",
        path.name, actor.label, report.rows, report.created, report.updated, report.errors,
    )  # fmt: skip
    return report


def as_value_error(parse: Callable[[Any], T], value: Any) -> T:
    """Let pydantic collect domain errors as field errors (it only collects ValueError)."""
    try:
        return parse(value)
    except InvalidInput as exc:
        raise ValueError(str(exc)) from None


def _errors_of(line: int, exc: Exception) -> list[RowError]:
    if isinstance(exc, ValidationError):
        return [
            RowError(
                line,
                ".".join(str(p) for p in e["loc"]) or "row",
                e["msg"].removeprefix("Value error, "),
            )
            for e in exc.errors(include_url=False, include_input=False)
        ]
    field = (
        "phone"
        if "手机号" in str(exc)
        else "birthday"
        if "生日" in str(exc) or "日期" in str(exc)
        else "row"
    )
    return [RowError(line, field, str(exc).removeprefix("Value error, "))]


def _batches(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _validate(
    batch: list[CsvRow], parse: Callable[[CsvRow], T], errors: ErrorReport, report: ImportReport
) -> list[tuple[int, T]]:
    valid = []
    for row in batch:
        report.rows += 1
        try:
            valid.append((row.line, parse(row)))
        except (ValidationError, ValueError, InvalidInput) as exc:
            for error in _errors_of(row.line, exc):
                errors.add(error)
    return valid
