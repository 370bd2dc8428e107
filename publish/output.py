"""Writing outputs safely: temporary files beside the target, renamed only when complete; reproducible zips."""
from __future__ import annotations

import glob
import io
import os
import re
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path

from .diagnostics import Code, Diagnostic, error, warning

_LATEST = datetime(2107, 12, 31, 23, 59, 58, tzinfo=timezone.utc)
"""The last time a zip entry can record (DOS dates end in 2107, in steps of two seconds)."""


def write_atomically(target: Path, data: bytes | Iterable[bytes]) -> Path:
    """Replace ``target`` with ``data`` (or its pieces, in order) in one rename; on any failure the old file stays."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def staged_path(target: Path) -> Path:
    """A fresh temporary path beside ``target`` for a build to write into."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"


def commit_staged(staged: Path, target: Path) -> None:
    """Put a staged file or folder in ``target``'s place (a folder's old copy is removed after)."""
    if not staged.is_dir():
        os.replace(staged, target)
        return
    old = staged_path(target) if target.exists() else None
    if old is not None:
        os.replace(target, old)
    os.replace(staged, target)
    if old is not None:
        discard_staged(old)


def discard_staged(staged: Path) -> None:
    if staged.is_dir():
        shutil.rmtree(staged, ignore_errors=True)
    else:
        staged.unlink(missing_ok=True)


def remove_stale_staged(target: Path) -> None:
    """Remove what a killed build left beside ``target`` (``.<name>.<random>.tmp``)."""
    if target.parent.is_dir():
        for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
            discard_staged(stale)


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


Member = bytes | Callable[[], Iterable[bytes]]
"""A zip member's data: its bytes, or a function giving its pieces in order (written as they come,
so a large member is never whole in memory)."""


def write_zip(members: Iterable[tuple[str, Member]], modified: datetime, first: str | None = None,
              level: int | Callable[[str], int] = 9) -> bytes:
    """A reproducible zip: one timestamp and mode for every member, in the order given, except that
    ``first`` (EPUB's mimetype) comes first and is stored uncompressed; ``level`` is deflate's
    (or gives it for each member's name)."""
    stamp = max(modified.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    members = list(members)
    ordered = [m for m in members if m[0] == first] + [m for m in members if m[0] != first]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, data in ordered:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == first else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            compresslevel = None if name == first else level(name) if callable(level) else level
            if isinstance(data, bytes):
                target.writestr(info, data, compresslevel=compresslevel)
                continue
            # What writestr does with a compresslevel, for data that comes in pieces: the zip's
            # bytes are the same either way (the local header is rewritten once the sizes are known).
            info._compresslevel = compresslevel  # type: ignore[attr-defined]
            with target.open(info, "w") as member:
                for piece in data():
                    member.write(piece)
    return out.getvalue()


def rewrite_zip(data: bytes, modified: datetime, first: str | None = None,
                change: Mapping[str, Callable[[bytes], bytes]] | None = None,
                replace: Mapping[str, Callable[[], Iterable[bytes]]] | None = None) -> bytes:
    """The zip ``data`` written reproducibly (see ``write_zip``), members named in ``change`` changed
    and those named in ``replace`` given new content in pieces; each member is read only when written."""
    change, replace = change or {}, replace or {}
    source = zipfile.ZipFile(io.BytesIO(data))

    def member(name: str) -> Member:
        if name in replace:
            return replace[name]
        return lambda: (change.get(name, _unchanged)(source.read(name)),)

    return write_zip(((name, member(name)) for name in source.namelist()), modified, first)


def _unchanged(data: bytes) -> bytes:
    return data
