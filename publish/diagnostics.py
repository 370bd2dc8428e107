"""Diagnostic records: collected by every stage, printed only by the CLI."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path


class Severity(str, Enum):
    ERROR = "error"
    """The input cannot be used as it is: the run fails."""
    WARNING = "warning"
    """The build goes on with a documented repair; ``--strict`` fails the run."""


class Code(str, Enum):
    """Every kind of diagnostic; the value is what users see and grep for."""

    UNREADABLE = "unreadable-file"
    ENCODING = "bad-encoding"
    BINARY = "binary-file"
    EMPTY = "empty-file"
    NO_ENTRY_HEADING = "no-entry-heading"
    UNCLOSED_ATTRIBUTES = "unclosed-attributes"
    UNKNOWN_CONSTRUCT = "unknown-construct"
    DUPLICATE_ID = "duplicate-id"
    INVALID_ID = "invalid-id"
    DANGLING_LINK = "dangling-link"
    ALIAS_CONFLICT = "alias-conflict"
    BAD_CONFIG = "bad-config"
    MISSING_SOURCE = "missing-source"
    MISSING_FILE = "missing-file"
    OUTSIDE_SOURCE = "outside-source"
    REMOTE_RESOURCE = "remote-resource"
    BAD_MATH = "bad-math"
    BAD_METADATA = "bad-metadata"
    RAW_FORMAT = "raw-format"
    BAD_IMAGE = "bad-image"
    EMPTY_TITLE = "empty-title"
    UNSUPPORTED_LINK = "unsupported-link"
    CONTROL_CHARACTER = "control-character"
    NO_SOURCES = "no-sources"
    TOO_DEEP = "too-deep"
    BAD_EPOCH = "bad-source-date-epoch"
    REPEATED_ENTRIES = "repeated-entries"
    INDEX_PAGE = "index-page"


INPUT_CODES = frozenset({Code.UNREADABLE, Code.ENCODING, Code.BINARY, Code.BAD_CONFIG, Code.NO_SOURCES})
"""Codes that mean the input could not be read at all (exit status 2)."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: Code
    severity: Severity
    path: Path | None
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        where = f"{display_path(self.path)}:{self.line}:{self.col}: " if self.path else ""
        return f"{where}{self.severity.value}: {_one_line(self.message)} [{self.code.value}]"

    def to_json(self) -> dict[str, object]:
        record = asdict(self)
        record.update(code=self.code.value, severity=self.severity.value,
                      path=display_path(self.path) if self.path else None,
                      message=_printable(self.message))
        return record


def display_path(path: Path) -> str:
    """A path as one printable line: undecodable bytes as ``\\xe9``, line breaks as ``\\n``."""
    return _one_line(str(path))


def _printable(text: str) -> str:
    """Undecodable bytes of a file name (surrogate escapes) written as ``\\xe9``, so printing never fails."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _one_line(text: str) -> str:
    return _printable(text).translate(_LINE_BREAKS)


_LINE_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}
"""Characters that ``str.splitlines`` breaks at, escaped so a diagnostic stays one line."""


def warning(code: Code, path: Path | None, line: int, col: int, message: str) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, path, line, col, message)


def error(code: Code, path: Path | None, line: int, col: int, message: str) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, path, line, col, message)
