"""The targets of issue 12 at a glance: one markdown table from benchmarks/latest.json.

``make bench`` (:mod:`benchmarks.run`) writes it as benchmarks/latest.md after the JSON; alone:
``python -m benchmarks.summary [latest.json]`` prints it. Every record that names a ``target``
gets a row: its time, the floor measured beside it in the same run, their ratio, the target,
whether the run met it, and the load average at the time (2 cores: read ratios before seconds).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent


def _number(value: Any, digits: int = 2) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "—"
    return f"{value:,.{digits}f}"


def _target(record: dict[str, Any]) -> str:
    target = record.get("target")
    if isinstance(target, (int, float)) and not isinstance(target, bool):
        # A bare number is seconds, except the dashboard's first content: a ratio to the
        # empty Streamlit app measured beside it.
        unit = "x floor" if "first_content_median_s" in record else "s"
        return f"<= {target:g} {unit}"
    return str(target)


def _met(record: dict[str, Any]) -> str:
    flags = [
        record[key]
        for key in ("meets_target", "meets_target_seconds", "meets_target_rss")
        if isinstance(record.get(key), bool)
    ]
    target = record.get("target")
    if not flags and isinstance(target, (int, float)) and not isinstance(target, bool):
        # A bare number: a ratio for the dashboard's first content, else seconds.
        key = "ratio" if "first_content_median_s" in record else "seconds"
        value = record.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            flags = [value <= target]
    if not flags:
        return "—"
    return "yes" if all(flags) else "no"


def targets_markdown(records: list[dict[str, Any]]) -> str:
    """A markdown table of the records that carry a target.

    Examples
    --------
    >>> print(targets_markdown([{"case": "cli-10k-rank", "seconds": 2.5, "floor_seconds": 1.3,
    ...     "ratio": 1.92, "target": "<= 3 s", "meets_target": True, "load_average": 0.4}]))
    | case | seconds | floor (s) | ratio | target | met | load |
    |---|---:|---:|---:|---|---|---:|
    | cli-10k-rank | 2.50 | 1.30 | 1.92 | <= 3 s | yes | 0.40 |
    """
    lines = [
        "| case | seconds | floor (s) | ratio | target | met | load |",
        "|---|---:|---:|---:|---|---|---:|",
    ]
    for record in records:
        if record.get("target") is None:
            continue
        lines.append(
            f"| {record['case']} | {_number(record.get('seconds'))} "
            f"| {_number(record.get('floor_seconds'))} | {_number(record.get('ratio'))} "
            f"| {_target(record)} | {_met(record)} | {_number(record.get('load_average'))} |"
        )
    return "\n".join(lines)


def write_summary(records: list[dict[str, Any]], out: Path) -> Path:
    """Write the targets table, with a line on where the figures come from, to ``out``."""
    text = (
        "# Benchmarks: the latest run's targets\n\n"
        "Written by `make bench` from benchmarks/latest.json (every figure there, with its "
        "floor measured in the same run); docs/performance.md explains each.\n\n"
        f"{targets_markdown(records)}\n"
    )
    out.write_text(text, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the targets table of a latest.json (default: benchmarks/latest.json)."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else BENCH_DIR / "latest.json"
    print(targets_markdown(json.loads(path.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
