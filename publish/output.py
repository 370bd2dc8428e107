"""Writing outputs safely: a temporary file beside the target, renamed only when complete."""
from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from .resolve.anchors import slugify
from .model import Metadata


def book_name(metadata: Metadata) -> str:
    """The output files' base name: the title as a file-name slug (``KI-Glossar`` → ``ki-glossar``)."""
    return re.sub(r"-{2,}", "-", slugify(metadata.title)) if re.search(r"[^\W\d_]", metadata.title) else "book"


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
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    mtimes = [p.stat().st_mtime for p in source.iterdir() if p.is_file()] if source.is_dir() else []
    return datetime.fromtimestamp(int(max(mtimes, default=0)), timezone.utc)


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
