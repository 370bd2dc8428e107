"""One embedded font program per font in a joined PDF: the parts' subsets merged glyph by glyph.

WeasyPrint subsets fonts keeping glyph ids, so every part's subset of one font has the same glyph
order with different glyphs filled in; the union of those glyphs serves every part's text."""
from __future__ import annotations

import hashlib
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from io import BytesIO
from typing import Protocol

import pikepdf
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables.DefaultTable import DefaultTable
from pikepdf import Dictionary, Name


def font_descriptors(page: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """The descriptors of the TrueType programs a page's text uses, its form XObjects' included."""
    stack, seen = [page.get("/Resources", Dictionary())], set()
    while stack:
        resources = stack.pop()
        for font in resources.get("/Font", Dictionary()).values():
            for face in (font, *font.get("/DescendantFonts", ())):
                descriptor = face.get("/FontDescriptor")
                if descriptor is not None and "/FontFile2" in descriptor:
                    yield descriptor
        for xobject in resources.get("/XObject", Dictionary()).values():
            if xobject.get("/Subtype") == Name.Form and "/Resources" in xobject and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                stack.append(xobject.Resources)


class MergedFonts(Protocol):
    """Merged programs kept between joins, by the digest of the subsets merged: an edit seldom
    changes a part's subsets, so the next join finds every merge done."""

    def font(self, key: str) -> bytes | None: ...

    def store_font(self, key: str, program: bytes) -> None: ...


def share_fonts(pdf: pikepdf.Pdf, descriptors: Iterable[pikepdf.Object], memory: MergedFonts | None = None) -> list[str]:
    """Replace the per-part TrueType subsets of each font (``descriptors``, the book's font
    descriptors) by one merged program, shared by all; ``memory`` keeps the merges. The keys of
    the merged programs used."""
    groups: dict[str, list[pikepdf.Object]] = defaultdict(list)
    for descriptor in descriptors:
        groups[str(descriptor.FontName).split("+", 1)[-1]].append(descriptor)
    keys = []
    for group in groups.values():
        programs = list({d.FontFile2.objgen: d.FontFile2 for d in group}.values())
        if len(programs) < 2:
            continue
        key = _merge_key(programs)
        merged = memory.font(key) if memory is not None else None
        if merged is None:
            merged = _merged(programs)
            if merged is None:
                continue
            if memory is not None:
                memory.store_font(key, merged)
        keys.append(key)
        shared = pdf.make_stream(merged)
        shared.Length1 = len(merged)
        for descriptor in group:
            descriptor.FontFile2 = shared
            # CIDSet would have to list the merged glyphs; PDF/A-2 makes it optional
            if "/CIDSet" in descriptor:
                del descriptor["/CIDSet"]
    return keys


def _merge_key(programs: list[pikepdf.Stream]) -> str:
    """What a merge depends on: the subsets, in the order merged."""
    digest = hashlib.sha256(b"merged TrueType 1")
    for program in programs:
        digest.update(hashlib.sha256(program.read_bytes()).digest())
    return digest.hexdigest()


def _merged(programs: list[pikepdf.Stream]) -> bytes | None:
    """The largest subset with every other subset's glyphs added by glyph id, or None if they are
    not TrueType subsets of one font.

    Glyphs are named by id before any table is read: subsets name glyphs after their own cmap, so
    the same glyph may have different names (and composites refer to components by name). The
    glyphs are copied as the subsets store them, not decoded: a glyph id's outline is the first
    subset's (the largest first) that has one; the limits a rasteriser sizes its memory by
    (``maxp``) and the bounding box are the largest of all the subsets'."""
    fonts = [_font(program) for program in programs]
    base = max(fonts, key=lambda font: font["maxp"].numGlyphs)
    if any("glyf" not in font or font["head"].unitsPerEm != base["head"].unitsPerEm for font in fonts):
        return None
    order = [base, *(font for font in fonts if font is not base)]
    source: dict[int, tuple[bytes, TTFont]] = {}
    for font in reversed(order):  # the first font that has a glyph is the one it comes from
        data, loca = font.reader["glyf"], font["loca"].locations
        for number, (start, end) in enumerate(zip(loca, loca[1:])):
            if end - start >= 10 and _has_outline(outline := data[start:end]):
                source[number] = outline, font
    glyphs, offsets, metrics = bytearray(), array("I"), base["hmtx"]
    for number, name in enumerate(base.getGlyphOrder()):
        offsets.append(len(glyphs))
        if number in source:
            outline, font = source[number]
            glyphs += outline + bytes(-len(outline) % 4)
            metrics[name] = font["hmtx"][name]
    offsets.append(len(glyphs))
    _widest_limits(base, fonts)
    mappings = {(t.platformID, t.platEncID): t.cmap for t in base["cmap"].tables} if "cmap" in base else {}
    for font in order[1:]:
        for table in font["cmap"].tables if "cmap" in font else ():
            for code, name in table.cmap.items():
                mappings.get((table.platformID, table.platEncID), {}).setdefault(code, name)
    if sys.byteorder == "little":
        offsets.byteswap()
    base["glyf"], base["loca"] = _raw("glyf", bytes(glyphs)), _raw("loca", offsets.tobytes())
    base["head"].indexToLocFormat = 1
    out = BytesIO()
    base.save(out, reorderTables=False)
    return out.getvalue()


def _has_outline(glyph: bytes) -> bool:
    """A glyph record (10 bytes at least) with contours or components: its contour count is not 0."""
    return glyph[:2] != b"\0\0"


def _widest_limits(base: TTFont, fonts: list[TTFont]) -> None:
    """``base``'s maxp limits and bounding box, each the largest of ``fonts``'."""
    profile = base["maxp"]
    for field in ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours", "maxZones",
                  "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                  "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        if hasattr(profile, field):
            setattr(profile, field, max(getattr(font["maxp"], field, 0) for font in fonts))
    head = base["head"]
    head.xMin, head.yMin = min(f["head"].xMin for f in fonts), min(f["head"].yMin for f in fonts)
    head.xMax, head.yMax = max(f["head"].xMax for f in fonts), max(f["head"].yMax for f in fonts)


def _raw(tag: str, data: bytes) -> DefaultTable:
    table = DefaultTable(tag)
    table.data = data
    return table


def _font(program: pikepdf.Stream) -> TTFont:
    """A subset, its glyphs named by id; tables are read when first used, and written back as they
    were set (no bounding boxes recomputed: its outlines are copied undecoded)."""
    font = TTFont(BytesIO(program.read_bytes()), recalcTimestamp=False, recalcBBoxes=False)
    font.setGlyphOrder([f"gid{i}" for i in range(font["maxp"].numGlyphs)])
    return font
