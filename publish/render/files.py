"""File names inside an output that holds many files (EPUB, website): ASCII, unique, images by type."""
from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from .. import model as m
from ..names import UniqueNames

IMAGE_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
                  "image/svg+xml": ".svg"}


def ascii_stem(text: str, default: str) -> str:
    """``KI-Ökosystem`` → ``ki-okosystem``: lower-case ASCII letters, digits and dashes."""
    base = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", base).strip("-") or default


def image_names(book: m.Book) -> dict[str, str]:
    """Each image of the source folder → its file in the output (``images/gpu.png``), unique."""
    names = UniqueNames(numbered=lambda base, n: f"{PurePosixPath(base).stem}-{n}{PurePosixPath(base).suffix}")
    return {src: "images/" + names.claim(ascii_stem(PurePosixPath(src).stem, "image") + IMAGE_SUFFIXES[kind])
            for src, kind in book.images.items()}
