"""Images an entry uses: what kind of file each is, and whether every format can show it safely."""
from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
               "svg": "image/svg+xml"}
"""The image types EPUB 3 reading systems must support (core media types), by kind."""

_MAX_PIXELS = 100_000_000
"""Larger images are refused before they are decoded (decompression bombs)."""
_SVG_LOCAL_REF = re.compile(r"#[\w.\-]*")
_OUTSIDE_URL = re.compile(r"url\(\s*+['\"]?+(?!#)", re.IGNORECASE)
"""A CSS ``url(…)`` that is not a fragment of this SVG; CSS reads ``URL(`` as ``url(``. Possessive:
giving back the quote or a space made ``url('#g')`` an outside URL."""
_OUTSIDE_STYLE = re.compile(_OUTSIDE_URL.pattern + "|@import", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ImageFile:
    kind: str
    """``png``, ``jpeg``, ``gif``, ``webp`` or ``svg``."""

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]


class ImageProblem(ValueError):
    """Why a file cannot be shown as an image in every format."""


def inspect_image(path: Path) -> ImageFile:
    """Check that ``path`` is a complete image of a kind every format shows; raise ImageProblem."""
    head = path.read_bytes()[:512]
    if head.lstrip().startswith((b"<?xml", b"<svg", b"<!--")) or path.suffix.lower() == ".svg":
        _check_svg(path)
        return ImageFile("svg")
    return ImageFile(_check_raster(path))


def _check_raster(path: Path) -> str:
    from PIL import Image, UnidentifiedImageError

    try:
        with _quiet_pillow(), Image.open(path) as image:
            kind = (image.format or "").lower()
            if kind not in MEDIA_TYPES:
                raise ImageProblem(f"is a {image.format or 'unknown'} image; use PNG, JPEG, GIF, WebP or SVG")
            if image.width * image.height > _MAX_PIXELS:
                raise ImageProblem(f"has {image.width} × {image.height} pixels, more than a book can hold")
            image.verify()
    except ImageProblem:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageProblem(f"is not a readable image ({exc.__class__.__name__})") from exc
    return kind


@contextmanager
def _quiet_pillow() -> Iterator[None]:
    """Pillow warns on standard error of images above 89 million pixels; the limit is ``_MAX_PIXELS``."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        yield


def _check_svg(path: Path) -> None:
    """An SVG must be well-formed and self-contained: no scripts, no event handlers, no references
    to other files or the network (WeasyPrint and reading systems would try to fetch them)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        raise ImageProblem(f"is not well-formed SVG ({exc})") from exc
    if etree.QName(root).localname != "svg":
        raise ImageProblem("is XML but not SVG")
    if root.getroottree().docinfo.internalDTD is not None:
        raise ImageProblem("declares entities (a DOCTYPE with an internal subset)")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name in ("script", "foreignObject", "iframe", "object", "embed"):
            raise ImageProblem(f"holds active content (<{name}>)")
        for key, value in element.attrib.items():
            attribute = etree.QName(key).localname
            if attribute.lower().startswith("on"):
                raise ImageProblem(f"holds a script ({attribute}=…)")
            if attribute == "href" and not (_SVG_LOCAL_REF.fullmatch(value.strip())):
                raise ImageProblem(f"refers to {value!r}; an SVG must be self-contained")
            if _OUTSIDE_URL.search(value):
                raise ImageProblem(f"refers to an outside resource in {attribute}")
        if name == "style" and element.text and _OUTSIDE_STYLE.search(element.text):
            raise ImageProblem("refers to an outside resource in a style sheet")
