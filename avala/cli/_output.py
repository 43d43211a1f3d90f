"""Output: decoded values as JSON with their real types, streamed; tables for people.

``to_json`` walks the frozen models (dataclasses, tuples, ``JsonObject``) into plain JSON
values: numbers stay numbers, None is null, datetimes are ISO 8601. rich is imported only
when a table is drawn.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time
from typing import IO, Any

FORMATS = ("table", "json", "jsonl")
TABLE_COLUMNS = 8  # a list table shows the first this-many scalar fields; -o json shows all


def to_json(value: Any) -> Any:
    """A decoded value as plain JSON data (dict, list, str, int, float, bool, None)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):  # JsonObject and plain mappings
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, bytes | bytearray):
        return [to_json(v) for v in value]
    raise TypeError(f"cannot show a {type(value).__name__} as JSON")


def dumps(value: Any, *, indent: int | None = None) -> str:
    """JSON text of plain data; non-ASCII kept readable."""
    return json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)


def write_one(value: Any, fmt: str, out: IO[str]) -> None:
    """Show a single value (an object, a number, a string); None shows nothing."""
    if value is None:
        return
    data = to_json(value)
    if fmt == "table":
        _print_table([data], out, single=True)
    else:
        out.write(dumps(data, indent=2 if fmt == "json" else None) + "\n")
    out.flush()


def write_many(items: Iterator[Any], fmt: str, out: IO[str]) -> int:
    """Show a sequence of values as they arrive: jsonl one a line, json an array written
    item by item (closed only when the sequence ends, so a failure midway leaves text no
    JSON parser takes for a complete list). A table is drawn once all rows are in."""
    count = 0
    if fmt == "table":
        rows = [to_json(item) for item in items]
        _print_table(rows, out, single=False)
        return len(rows)
    if fmt == "jsonl":
        for item in items:
            out.write(dumps(to_json(item)) + "\n")
            out.flush()
            count += 1
        return count
    out.write("[")
    for item in items:
        text = dumps(to_json(item), indent=2).replace("\n", "\n  ")
        out.write(("\n  " if count == 0 else ",\n  ") + text)
        out.flush()
        count += 1
    out.write("\n]\n" if count else "]\n")
    out.flush()
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return dumps(value)


def _print_table(rows: list[Any], out: IO[str], *, single: bool) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text  # cells as Text: "[bold]" in a value is shown, not obeyed

    console = Console(file=out, soft_wrap=False)
    if single and isinstance(rows[0], dict):
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for key, value in rows[0].items():
            table.add_row(Text(key), Text(_cell(value)))
        console.print(table)
        return
    if single:
        console.print(Text(_cell(rows[0])))
        return
    columns = _columns(rows)
    table = Table(header_style="bold")
    for column in columns:
        table.add_column(Text(column), overflow="ellipsis")
    for row in rows:
        record = row if isinstance(row, dict) else {"value": row}
        table.add_row(*(Text(_cell(record.get(c))) for c in columns))
    console.print(table)
    if not rows:
        console.print("(no items)", style="dim")


def _columns(rows: list[Any]) -> list[str]:
    """The first scalar fields of the rows, in field order."""
    if not rows or not isinstance(rows[0], dict):
        return ["value"]
    scalar = [
        key
        for key in rows[0]
        if all(not isinstance(r.get(key), dict | list) for r in rows if isinstance(r, dict))
    ]
    return scalar[:TABLE_COLUMNS] or list(rows[0])[:TABLE_COLUMNS]
