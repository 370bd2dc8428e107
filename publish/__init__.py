"""publish: reference books from one Markdown file per entry, as PDF, EPUB and DOCX."""
from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def _program_version() -> str:
    """The release plus a hash of the package's own source, so caches never outlive a code change."""
    try:
        release = version("publish")
    except PackageNotFoundError:
        release = "0+unknown"
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return f"{release}+{digest.hexdigest()[:12]}"


__version__ = _program_version()
