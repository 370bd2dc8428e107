"""TeX math as MathML for reflowable media, built as a tree and reduced to presentation MathML."""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from functools import lru_cache

import latex2mathml.converter

from ...xml_chars import without_invalid_xml

MATHML = "http://www.w3.org/1998/Math/MathML"

_ELEMENTS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "ms", "msub", "msup", "msubsup", "munder", "mover",
    "munderover", "mfrac", "msqrt", "mroot", "mstyle", "merror", "mpadded", "mphantom", "mfenced", "menclose",
    "mtable", "mtr", "mtd", "mlabeledtr", "mmultiscripts", "mprescripts", "none",
})
"""Presentation MathML: what reading systems draw. Anything else is unwrapped to an ``mrow``."""
_ATTRIBUTES = frozenset({
    "display", "mathvariant", "stretchy", "fence", "separator", "accent", "accentunder", "columnalign",
    "columnspacing", "rowspacing", "columnlines", "rowlines", "frame", "lspace", "rspace", "minsize", "maxsize",
    "movablelimits", "largeop", "symmetric", "linethickness", "width", "height", "depth", "notation", "open",
    "close", "separators", "scriptlevel", "displaystyle", "mathsize", "rowalign", "columnspan", "rowspan",
    "form", "voffset", "align", "equalrows", "equalcolumns",
})
"""Layout attributes only: no ``href``, no ``style``, no event handlers, no ids."""
_VALUE = re.compile(r"[\w .%+\-]*")
"""What an allowed attribute's value may hold (names, numbers, lengths, lists of them)."""

_UNKNOWN_COMMAND = re.compile(r"\\[A-Za-z]+")
# latex2mathml passes unknown commands through as identifier text such as `\foo`.
_TEX_TOKEN = re.compile(r"\\begin\b|\\end\b|\\.|[{}&]", re.DOTALL)
_TEXT_ESCAPE = re.compile(r"\\([&%$#_{}])")
_CAMEL_WORD = re.compile(r"[A-Z][a-z]*")


MAX_ELEMENTS = 2_500
"""A formula of more MathML elements is not typeset but shown as its TeX: a 200 × 200 matrix
(about 80,000 elements) took 69 s of PDF layout. A long formula of the glossary has about 60."""


class MathError(ValueError):
    """TeX that cannot be typeset; the message says briefly what is wrong."""


def cannot_typeset(tex: str, problem: MathError) -> str:
    """The bad-math diagnostic's message; a long formula is named by its start and its length."""
    shown = tex if len(tex) <= 80 else f"{tex[:60]}… ({len(tex):,} characters)"
    return f"cannot typeset ${shown}$: {problem}; shown as TeX source"


def check_size(root: ET.Element) -> None:
    """A formula too large to typeset (``MAX_ELEMENTS``) is a MathError."""
    count = sum(1 for _ in root.iter())
    if count > MAX_ELEMENTS:
        raise MathError(f"too large to typeset ({count:,} MathML elements; at most {MAX_ELEMENTS:,})")


@lru_cache(maxsize=4096)
def mathml(tex: str, display: bool) -> str:
    """``<math>`` for a formula, with its TeX as ``alttext``; raises MathError. Remembered: a book
    writes its formulas more than once (the DOCX's math check, the PDF's and the EPUB's pages)."""
    tex = without_invalid_xml(tex)  # the reader takes them out; this writer must not depend on it
    root = tex_to_mathml(tex, display)
    root.attrib = {"xmlns": MATHML, "alttext": tex, **root.attrib}
    return ET.tostring(root, encoding="unicode")


def tex_to_mathml(tex: str, display: bool) -> ET.Element:
    """TeX → a MathML tree of allowed elements and attributes; author text stays text."""
    check_tex(tex)
    try:
        root = latex2mathml.converter.convert_to_element(tex, display="block" if display else "inline")
        clean = _allowed(root)
    except RecursionError as exc:
        raise MathError("cannot read TeX: nested too deeply") from exc
    except Exception as exc:
        # latex2mathml's errors share no base class and carry their meaning in the class name.
        raise MathError(f"cannot read TeX: {describe_error(exc)}") from exc
    check_size(clean)
    check_known_commands(clean)
    return clean


def check_tex(tex: str) -> None:
    """What latex2mathml lets through silently: an empty formula, unbalanced braces, an
    alignment ``&`` outside an environment (TeX's "misplaced alignment tab")."""
    if not tex.strip():
        raise MathError("empty formula")
    depth = environments = 0
    for token in _TEX_TOKEN.findall(tex):
        if token == "\\begin":
            environments += 1
        elif token == "\\end":
            environments -= 1
        elif token == "&" and environments <= 0:
            raise MathError("cannot read TeX: '&' outside an environment (write \\&)")
        elif token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                raise MathError("cannot read TeX: '}' without '{'")
    if depth > 0:
        raise MathError("cannot read TeX: '{' without '}'")


def check_known_commands(mathml: ET.Element) -> None:
    """An unknown command would otherwise be drawn as its own name, backslash included."""
    for element in mathml.iter():
        if local_name(element) in ("mi", "mo", "mn") and element.text:
            if match := _UNKNOWN_COMMAND.match(element.text):
                raise MathError(f"unknown TeX command {match.group()}")


def describe_error(exc: Exception) -> str:
    """Short reason for a latex2mathml error, which carries its meaning only in its class name."""
    if str(exc):
        return str(exc)
    name = type(exc).__name__
    if name == "NoAvailableTokensError":
        return "a command or brace is missing its argument"
    words = _CAMEL_WORD.findall(name.removesuffix("Error"))
    return " ".join(words).lower() or name


def text_escapes(text: str) -> str:
    """TeX's escaped characters in ``\\text{…}`` as the characters (latex2mathml copies ``\\&``)."""
    return _TEXT_ESCAPE.sub(r"\1", text)


def local_name(element: ET.Element) -> str:
    """Tag without the MathML namespace that latex2mathml puts on every element."""
    return element.tag.rpartition("}")[2]


def _allowed(element: ET.Element) -> ET.Element:
    """A copy with only allowed elements and attributes (names without namespace). latex2mathml
    stores characters as entity text (``&#x02264;``): they become characters here, and a
    serialiser escapes them again, so no author text can become markup."""
    name = local_name(element)
    clean = ET.Element(name if name in _ELEMENTS else "mrow")
    for key, value in element.attrib.items():
        if key in _ATTRIBUTES and _VALUE.fullmatch(value):
            clean.set(key, value)
    clean.text = html.unescape(element.text) if element.text else None
    if name == "mtext" and clean.text:
        clean.text = text_escapes(clean.text)
    for child in element:
        copy = _allowed(child)
        copy.tail = html.unescape(child.tail) if child.tail else None
        clean.append(copy)
    return clean
