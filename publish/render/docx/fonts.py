"""The theme's fonts embedded in the DOCX, as Word embeds them (ECMA-376 Part 1, 17.8.1).

Each face is a ``word/fonts/*.odttf`` part: the font file with its first 32 bytes XORed with a
key made from a GUID, which ``fontTable.xml`` names (``w:embedRegular w:fontKey``). The fonts are
OFL-licensed, which permits embedding. The GUID comes from the file's name, so builds stay
byte-identical.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from lxml import etree

from ...theme.theme import Theme
from .reference import W

_W = f"{{{W}}}"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FONT_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
_KINDS = {(400, "normal"): "embedRegular", (700, "normal"): "embedBold", (400, "italic"): "embedItalic",
          (700, "italic"): "embedBoldItalic"}
# CT_Font's children, in schema order: embedded faces come after these.
_FONT_ORDER = ("altName", "panose1", "charset", "family", "notTrueType", "pitch", "sig",
               "embedRegular", "embedBold", "embedItalic", "embedBoldItalic")


@dataclass(frozen=True, slots=True)
class EmbeddedFont:
    family: str
    kind: str
    """``embedRegular``, ``embedBold``, ``embedItalic`` or ``embedBoldItalic``."""
    part: str
    """The part's name under ``word/`` (``fonts/font1.odttf``)."""
    rel_id: str
    key: str
    """The GUID in braces, as fontTable.xml names it."""
    data: bytes
    """The obfuscated font."""


def embedded_fonts(theme: Theme) -> list[EmbeddedFont]:
    """The faces of the theme's body, heading and mono families that Word can embed."""
    families = {theme.values["fonts"][role] for role in ("body", "heading", "mono")}
    fonts = []
    for face in theme.fonts:
        kind = _KINDS.get((face.weight, face.style))
        if face.family not in families or kind is None:
            continue
        n = len(fonts) + 1
        key = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"publish-font:{face.path.name}")).upper() + "}"
        fonts.append(EmbeddedFont(face.family, kind, f"fonts/font{n}.odttf", f"rIdFont{n}", key,
                                  obfuscate(face.path.read_bytes(), key)))
    return fonts


def obfuscate(font: bytes, key: str) -> bytes:
    """XOR the first 32 bytes with the GUID's 16 bytes in reverse order (the operation is its own inverse)."""
    secret = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ secret[i % 16] for i, b in enumerate(font[:32]))
    return head + font[32:]


def font_table(data: bytes, fonts: list[EmbeddedFont]) -> bytes:
    """fontTable.xml naming every embedded face under its family."""
    root = etree.fromstring(data)
    by_name = {f.get(f"{_W}name"): f for f in root.findall(f"{_W}font")}
    for font in fonts:
        element = by_name.get(font.family)
        if element is None:
            element = by_name[font.family] = etree.SubElement(root, f"{_W}font", {f"{_W}name": font.family})
        etree.SubElement(element, f"{_W}{font.kind}", {f"{{{R}}}id": font.rel_id, f"{_W}fontKey": font.key})
        element[:] = sorted(element, key=lambda el: _FONT_ORDER.index(etree.QName(el).localname))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def font_relationships(fonts: list[EmbeddedFont]) -> bytes:
    rels = "".join(f'<Relationship Id="{f.rel_id}" Type="{FONT_TYPE}" Target="{f.part}"/>' for f in fonts)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            "</Relationships>").encode("utf-8")
