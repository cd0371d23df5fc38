"""CHANGELOG.md's "Unreleased" section, where `make generate` adds what `make api-diff` reports.

Lines are only ever added, each at most once, under `### Contract` and `### Python API` of `## Unreleased`
(both made when missing). Nothing else in the file is touched: hand-written notes and released sections
stay as they are, and adding the same report twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from api_rules import SECTIONS, Section

UNRELEASED = "## Unreleased"
NEW_FILE = "# Changelog\n"


def _section_end(lines: list[str], start: int) -> int:
    """The index of the next `## ` heading after `start`, or the end of the file."""
    return next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))


def _after_content(lines: list[str], start: int, end: int) -> int:
    """The index just past the last non-blank line of lines[start:end] (`start` itself counts)."""
    return next((i + 1 for i in range(end - 1, start - 1, -1) if lines[i].strip()), start + 1)


def add(text: str, entries: Mapping[Section, Sequence[str]]) -> str:
    """`text` with every entry that its Unreleased section lacks added under that entry's heading."""
    lines = text.splitlines()
    if UNRELEASED not in lines:
        first = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
        lines[first:first] = [UNRELEASED, ""] if first < len(lines) else ["", UNRELEASED]
    start = lines.index(UNRELEASED)
    for section in SECTIONS:
        end = _section_end(lines, start)
        present = {line.strip() for line in lines[start:end]}
        new = [entry for entry in dict.fromkeys(entries.get(section, ())) if entry not in present]
        if not new:
            continue
        heading = f"### {section}"
        if heading not in lines[start:end]:
            at = _after_content(lines, start, end)
            lines[at:at] = ["", heading]
            end = _section_end(lines, start)
        top = lines.index(heading, start, end)
        bottom = next((i for i in range(top + 1, end) if lines[i].startswith("#")), end)
        at = _after_content(lines, top, bottom)
        block = ([""] if at == top + 1 else []) + new
        if at < len(lines) and lines[at].strip():
            block.append("")
        lines[at:at] = block
    return "\n".join(lines).rstrip("\n") + "\n"
