"""Apply suggested edits to source files, changing nothing outside the edit, and show them as a diff."""
from __future__ import annotations

import difflib
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..output import write_atomically
from ..resolve.resolver import MissingEntry
from ..resolve.suggest import Edit, Suggestions, relative

_LINE = re.compile(r"\r\n|\r|\n")
"""Line ends as the reader counts them."""


@dataclass(frozen=True, slots=True)
class Change:
    """One file before and after its edits."""

    path: Path
    before: bytes
    after: bytes
    edits: tuple[Edit, ...]


def chosen_edits(suggestions: Suggestions, only: Sequence[str] = ()) -> list[Edit]:
    """The best suggestion's edit of every missing target and duplicate id (or only of those named)."""
    picked = [s[0].edit for target, s in suggestions.missing.items() if not only or target in only]
    picked += [d.suggestions[0].edit for d in suggestions.duplicates
               if d.suggestions and (not only or d.id in only)]
    return list(dict.fromkeys(picked))


def plan(edits: Iterable[Edit], missing: Sequence[MissingEntry]) -> tuple[list[Change], list[str]]:
    """The changed files, and why an edit could not be made (its text was not where the book said)."""
    uses = {mm.target: mm.uses for mm in missing}
    spans: dict[Path, list[tuple[int, int, str, Edit]]] = defaultdict(list)
    texts: dict[Path, str] = {}
    problems = []
    for edit in edits:
        places = [(edit.path, edit.line)] if edit.path else [(p.path, p.line) for p in uses.get(edit.old, ())]
        for path, line in places:
            if path not in texts:
                texts[path] = path.read_bytes().decode("utf-8")
            taken = [(a, b) for a, b, _, _ in spans[path]]
            span = _locate(texts[path], line, edit, taken)
            if span is None:
                problems.append(f"{path}:{line}: cannot {edit.action} {edit.old!r} → {edit.new!r}; left alone")
            elif any(a <= span[1] and span[0] <= b for a, b in taken):
                problems.append(f"{path}:{line}: {edit.action} {edit.old!r} → {edit.new!r} meets another edit "
                                "there; left alone (run publish fix again after this one)")
            else:
                spans[path].append((*span, edit))
    changes = []
    for path, found in spans.items():
        text = texts[path]
        for start, end, new, _ in sorted(found, key=lambda s: s[0], reverse=True):
            text = text[:start] + new + text[end:]
        changes.append(Change(path, texts[path].encode("utf-8"), text.encode("utf-8"),
                              tuple(dict.fromkeys(e for *_, e in found))))
    return sorted(changes, key=lambda c: str(c.path)), problems


def _locate(text: str, line: int, edit: Edit, taken: list[tuple[int, int]]) -> tuple[int, int, str] | None:
    """Where in ``text`` the edit goes (start, end, replacement), searching from ``line``."""
    starts = [0] + [m.end() for m in _LINE.finditer(text)]
    if line > len(starts):
        return None
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(text)
    heading = text[start:end]
    if edit.action == "relink":
        for found in re.finditer(r"\]\(\s*<?#(" + re.escape(edit.old) + r")(?=[\s)>])", text[start:]):
            span = (start + found.start(1), start + found.end(1))
            if span not in taken:
                return (*span, edit.new)
        return None
    attrs = re.search(r"\{([^{}]*)\}\s*$", heading)
    if edit.action == "set-id":
        found = attrs and re.search(r"(?<![^\s{])#(" + re.escape(edit.old) + r")(?=[\s}])", heading)
        return (start + found.start(1), start + found.end(1), edit.new) if found else None
    if '"' in edit.new or "," in edit.new:
        return None
    if attrs:
        listed = re.search(r'(?<![^\s{])aliases="([^"]*)"', heading)
        if listed:
            at = start + listed.end(1)
            return (at, at, ("," if listed[1].strip() else "") + edit.new)
        at = start + attrs.end(1)
        return (at, at, f' aliases="{edit.new}"')
    at = start + len(heading.rstrip("\r\n \t"))
    return (at, at, f' {{aliases="{edit.new}"}}')


def unified_diff(change: Change, source: Path) -> str:
    """The change as a unified diff with paths relative to the source folder."""
    name = relative(change.path, source)
    return "".join(difflib.unified_diff(change.before.decode("utf-8").splitlines(keepends=True),
                                        change.after.decode("utf-8").splitlines(keepends=True),
                                        f"a/{name}", f"b/{name}"))


def write(change: Change) -> None:
    """Replace the file in one rename, keeping its permissions."""
    mode = change.path.stat().st_mode
    write_atomically(change.path, change.after)
    os.chmod(change.path, mode)
