"""One embedded font program per font in a joined PDF: the parts' subsets merged glyph by glyph.

WeasyPrint subsets fonts keeping glyph ids, so every part's subset of one font has the same glyph
order with different glyphs filled in; the union of those glyphs serves every part's text."""
from __future__ import annotations

from collections import defaultdict
from io import BytesIO

import pikepdf
from fontTools.ttLib import TTFont
from pikepdf import Name


def share_fonts(pdf: pikepdf.Pdf) -> None:
    """Replace the per-part TrueType subsets of each font by one merged program, shared by all."""
    groups: dict[str, list[pikepdf.Object]] = defaultdict(list)
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == Name.FontDescriptor and "/FontFile2" in obj:
            groups[str(obj.FontName).split("+", 1)[-1]].append(obj)
    for descriptors in groups.values():
        programs = {d.FontFile2.objgen: d.FontFile2 for d in descriptors}
        if len(programs) < 2:
            continue
        merged = _merged(list(programs.values()))
        if merged is None:
            continue
        shared = pdf.make_stream(merged)
        shared.Length1 = len(merged)
        for descriptor in descriptors:
            descriptor.FontFile2 = shared
            # CIDSet would have to list the merged glyphs; PDF/A-2 makes it optional
            if "/CIDSet" in descriptor:
                del descriptor["/CIDSet"]


def _merged(programs: list[pikepdf.Stream]) -> bytes | None:
    """The largest subset with every other subset's glyphs added by glyph id, or None if they are
    not TrueType subsets of one font.

    Glyphs are named by id before any table is read: subsets name glyphs after their own cmap, so
    the same glyph may have different names (and composites refer to components by name)."""
    fonts = [TTFont(BytesIO(p.read_bytes()), recalcTimestamp=False) for p in programs]
    if any("glyf" not in font or font["head"].unitsPerEm != fonts[0]["head"].unitsPerEm for font in fonts):
        return None
    for font in fonts:
        font.setGlyphOrder([f"gid{i}" for i in range(font["maxp"].numGlyphs)])
    base = max(fonts, key=lambda font: font["maxp"].numGlyphs)
    glyphs, metrics = base["glyf"], base["hmtx"]
    mappings = {(t.platformID, t.platEncID): t.cmap for t in base["cmap"].tables} if "cmap" in base else {}
    for font in fonts:
        if font is base:
            continue
        for table in font["cmap"].tables if "cmap" in font else ():
            for code, name in table.cmap.items():
                mappings.get((table.platformID, table.platEncID), {}).setdefault(code, name)
        for name in font.getGlyphOrder():
            glyph = font["glyf"][name]
            if glyph.numberOfContours and not glyphs[name].numberOfContours:
                glyphs[name] = glyph
                metrics[name] = font["hmtx"][name]
    out = BytesIO()
    base.save(out, reorderTables=False)
    return out.getvalue()
