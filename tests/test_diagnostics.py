"""Diagnostics print as one line whatever the file name holds."""
from __future__ import annotations

import json
from pathlib import Path

from publish.diagnostics import Code, warning


def test_a_newline_in_a_file_name_keeps_the_diagnostic_on_one_line() -> None:
    diagnostic = warning(Code.EMPTY, Path("a\nb.md"), 3, 1, "empty file; skipped")
    assert str(diagnostic).splitlines() == ["a\\nb.md:3:1: warning: empty file; skipped [empty-file]"]


def test_undecodable_bytes_of_a_file_name_print_as_escapes() -> None:
    diagnostic = warning(Code.EMPTY, Path("Caf\udce9.md"), 1, 1, "name 'Caf\udce9.md'")
    assert str(diagnostic) == "Caf\\xe9.md:1:1: warning: name 'Caf\\xe9.md' [empty-file]"
    record = diagnostic.to_json()
    assert record["path"] == "Caf\\xe9.md"
    json.dumps(record, ensure_ascii=False).encode("utf-8")
