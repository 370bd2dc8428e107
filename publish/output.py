"""Writing outputs safely: a temporary file beside the target, renamed only when complete."""
from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from .diagnostics import Code, Diagnostic, error, warning
from .resolve.anchors import slugify
from .model import Metadata

_LATEST = datetime(2107, 12, 31, 23, 59, 58, tzinfo=timezone.utc)
"""The last time a zip entry can record (DOS dates end in 2107, in steps of two seconds)."""


def book_name(metadata: Metadata) -> str:
    """The output files' base name: the title as a file-name slug (``KI-Glossar`` → ``ki-glossar``)."""
    return re.sub(r"-{2,}", "-", slugify(metadata.title)) or "book"


def write_atomically(target: Path, data: bytes) -> Path:
    """Replace ``target`` with ``data`` in one rename; on any failure the old file stays."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def build_time(source: Path) -> datetime:
    """The time a build claims: ``SOURCE_DATE_EPOCH`` if set, else the newest source file's mtime.

    Never the clock, so two builds of the same sources produce the same bytes.
    """
    claimed, _ = source_date_epoch()
    if claimed is not None:
        return claimed
    mtimes = [p.stat().st_mtime for p in source.iterdir() if p.is_file()] if source.is_dir() else []
    return datetime.fromtimestamp(int(max(mtimes, default=0)), timezone.utc)


def source_date_epoch() -> tuple[datetime | None, Diagnostic | None]:
    """``SOURCE_DATE_EPOCH`` as a time (None when unset or unusable), and a diagnostic when it is unusable.

    A time past what a zip file (EPUB, DOCX) can hold is an error and clamped to that limit;
    a value that is not a number of seconds is ignored with a warning.
    """
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None, None
    shown = value if len(value) <= 24 else value[:20] + "…"
    if not re.fullmatch(r"[0-9]+", value):
        return None, warning(Code.BAD_EPOCH, None, 0, 0,
                             f"SOURCE_DATE_EPOCH={shown!r} is not a number of seconds; ignored "
                             "(the newest source file's time is used)")
    if len(value) > 12 or int(value) > _LATEST.timestamp():
        return _LATEST, error(Code.BAD_EPOCH, None, 0, 0,
                              f"SOURCE_DATE_EPOCH={shown} is after {_LATEST:%Y-%m-%d}, "
                              "the last date a zip file (EPUB, DOCX) can hold")
    return datetime.fromtimestamp(int(value), timezone.utc), None


def normalize_zip(data: bytes, modified: datetime, first: str | None = None) -> bytes:
    """The same zip with fixed timestamps and modes, ``first`` (EPUB's mimetype) first and stored."""
    stamp = max(modified.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    order = [n for n in names if n == first] + [n for n in names if n != first]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == first else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            target.writestr(info, source.read(name), compresslevel=None if name == first else 9)
    return out.getvalue()
