"""Model → HTML fragments for every HTML medium (page structure lives in the theme's templates)."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Literal

from markupsafe import Markup

from ... import model as m
from ...diagnostics import Code, Diagnostic, warning
from ...tree import stringify
from .mathml import MathError, cannot_typeset, mathml
from ...names import UniqueNames
from ...theme.languages import is_language_tag
from .sanitize import sanitize_html

_INLINE_TAGS = {m.Emph: "em", m.Strong: "strong", m.Underline: "u", m.Strikeout: "del",
                m.Superscript: "sup", m.Subscript: "sub"}
_MEANINGFUL: dict[str, Callable[[str], bool]] = {
    "lang": is_language_tag, "dir": lambda value: value in ("ltr", "rtl", "auto"), "title": lambda value: True,
}
"""``m.MEANINGFUL_ATTRIBUTES`` with the values each may take; a bad value stays inert data."""
_LONG_TOKEN = re.compile(r"\S{64,}")
_ZERO_WIDTH_SPACE = "\u200b"
_ALIGN_CSS = {"AlignLeft": "left", "AlignRight": "right", "AlignCenter": "center"}


@dataclass(frozen=True, slots=True)
class Medium:
    """What the HTML is for: how markup, math and notes are written."""

    paged: bool
    """Laid out on pages (PDF) rather than reflowed by a reading system (EPUB, web)."""
    xhtml: bool
    """XML serialisation (void elements closed) rather than HTML."""
    math: Literal["svg", "mathml"]
    """Formulas as SVG drawings (WeasyPrint has no MathML) or as MathML."""
    endnotes: bool
    """Notes gathered at the end of each document rather than floated where they are called."""


PAGED = Medium(paged=True, xhtml=False, math="svg", endnotes=False)
REFLOWABLE = Medium(paged=False, xhtml=True, math="mathml", endnotes=True)
WEB = Medium(paged=False, xhtml=False, math="mathml", endnotes=True)
"""A website: reflowable HTML5 with MathML, notes at the end of each page."""


NOTES_OPEN, NOTES_CLOSE = '<section class="footnotes">', "</section>"
"""Around a part's endnotes."""


class HtmlWriter:
    """Writes model nodes as HTML: one ``visit_<node type>`` method per node type.

    ``href`` turns a target id into a link for the medium (``#id`` in PDF, ``entry.xhtml#id``
    in EPUB); ``heading_offset`` maps model levels to HTML levels (entry title = h2). A formula
    that cannot be typeset is shown as its TeX source and reported in ``diagnostics``, naming
    the part set by ``start_part``.
    """

    def __init__(self, href: Callable[[str], str], medium: Medium = PAGED, heading_offset: int = 1,
                 taken: Iterable[str] = (), asset: Callable[[str], str] = str) -> None:
        self.href = href
        self.asset = asset
        """Where an image of the source folder is found from the document (EPUB packs them anew)."""
        self.medium = medium
        self.xhtml = medium.xhtml
        self.heading_offset = heading_offset
        self.diagnostics: list[Diagnostic] = []
        self._notes: list[str] = []
        self._noted = 0
        """Endnotes written in the part so far (``_notes`` holds those not yet taken)."""
        self._part: tuple[str, Path | None, int] = ("note", None, 1)
        self._note_count = 0
        self._formulas = 0
        self._ids = UniqueNames()
        """Ids the writer makes (notes, formulas' SVG ids) never meet the book's own (``taken``)."""
        for anchor in taken:
            self._ids.reserve(anchor)
            for dash in (i for i, c in enumerate(anchor) if c == "-"):
                self._ids.reserve(anchor[:dash])  # so no book id starts with a made id plus "-"

    def start_part(self, scope: str, source: Path | None, line: int) -> None:
        """The part written next: endnote ids are ``{scope}--fn{n}``, problems name its source."""
        self._part, self._notes, self._noted = (scope, source, line), [], 0

    def take_notes(self) -> Markup:
        """The part's endnotes section (without those ``pending_notes`` took before)."""
        notes = "".join(self.pending_notes())
        return Markup(f"{NOTES_OPEN}{notes}{NOTES_CLOSE}" if notes else "")

    def pending_notes(self) -> list[str]:
        """The endnotes (``<aside>`` elements) written since the part began or the last call,
        taken out of the writer."""
        notes, self._notes = self._notes, []
        return notes

    # --- entry points ---------------------------------------------------------------

    def blocks(self, blocks: Iterable[m.Block]) -> Markup:
        return Markup("\n".join(self.visit(b) for b in blocks))

    def inlines(self, inlines: Iterable[m.Inline]) -> Markup:
        return Markup("".join(self.visit(node) for node in inlines))

    def visit(self, node: m.Block | m.Inline) -> str:
        tag = _INLINE_TAGS.get(type(node))
        if tag:
            return f"<{tag}>{self.inlines(node.content)}</{tag}>"  # type: ignore[union-attr]
        method = getattr(self, f"visit_{type(node).__name__.lower()}", None)
        if method is None:
            raise TypeError(f"the HTML writer cannot write a {type(node).__name__} node")
        return str(method(node))

    # --- blocks ---------------------------------------------------------------------

    def visit_plain(self, node: m.Plain) -> str:
        return self.inlines(node.content)

    def visit_para(self, node: m.Para) -> str:
        return f"<p>{self.inlines(node.content)}</p>"

    def visit_header(self, node: m.Header) -> str:
        level = min(6, node.level + self.heading_offset)
        return f"<h{level}{self._attrs(node.attr)}>{self.inlines(node.content)}</h{level}>"

    def visit_codeblock(self, node: m.CodeBlock) -> str:
        classes = tuple(f"language-{c}" for c in node.attr.classes[:1]) + node.attr.classes[1:]
        attrs = self._attrs(m.Attr(node.attr.id, classes))
        return f"<pre{attrs}><code>{escape(node.text, quote=False)}</code></pre>"

    def visit_rawblock(self, node: m.RawBlock) -> str:
        return sanitize_html(node.text, self.xhtml, "block") if node.format == "html" else ""

    def visit_blockquote(self, node: m.BlockQuote) -> str:
        return f"<blockquote>{self.blocks(node.blocks)}</blockquote>"

    def visit_bulletlist(self, node: m.BulletList) -> str:
        return "<ul>" + "".join(f"<li>{self.blocks(item)}</li>" for item in node.items) + "</ul>"

    def visit_orderedlist(self, node: m.OrderedList) -> str:
        start = f' start="{node.start}"' if node.start != 1 else ""
        return f"<ol{start}>" + "".join(f"<li>{self.blocks(item)}</li>" for item in node.items) + "</ol>"

    def visit_definitionlist(self, node: m.DefinitionList) -> str:
        parts = []
        for term, definitions in node.items:
            parts.append(f"<dt>{self.inlines(term)}</dt>")
            parts.extend(f"<dd>{self.blocks(d)}</dd>" for d in definitions)
        return "<dl>" + "".join(parts) + "</dl>"

    def visit_horizontalrule(self, node: m.HorizontalRule) -> str:
        return "<hr />" if self.xhtml else "<hr>"

    def visit_div(self, node: m.Div) -> str:
        return f"<div{self._attrs(node.attr)}>{self.blocks(node.blocks)}</div>"

    def visit_figure(self, node: m.Figure) -> str:
        caption = f"<figcaption>{self.blocks(node.caption)}</figcaption>" if node.caption else ""
        return f"<figure{self._attrs(node.attr)}>{self.blocks(node.blocks)}{caption}</figure>"

    def visit_table(self, node: m.Table) -> str:
        widths = [c.width for c in node.colspecs]
        colgroup = ""
        if all(widths) and widths:
            total = sum(widths)  # type: ignore[arg-type]
            colgroup = "<colgroup>" + "".join(
                f'<col style="width: {100 * w / total:.1f}%"{" /" if self.xhtml else ""}>' for w in widths) + "</colgroup>"
        caption = f"<caption>{self.blocks(node.caption)}</caption>" if node.caption else ""
        aligns = [c.align for c in node.colspecs]
        head = self._rows(node.head, "th", aligns)
        bodies = "".join(f"<tbody>{self._rows(body, 'td', aligns)}</tbody>" for body in node.bodies)
        foot = self._rows(node.foot, "td", aligns)
        return (f"<table{self._attrs(node.attr)}>{caption}{colgroup}"
                + (f"<thead>{head}</thead>" if head else "") + bodies
                + (f"<tfoot>{foot}</tfoot>" if foot else "") + "</table>")

    def _rows(self, rows: tuple[m.Row, ...], tag: str, aligns: list[str]) -> str:
        out = []
        occupied: dict[tuple[int, int], bool] = {}
        for r, row in enumerate(rows):
            cells, column = [], 0
            for cell in row.cells:
                while occupied.get((r, column)):
                    column += 1
                for dr in range(cell.row_span):
                    for dc in range(cell.col_span):
                        occupied[(r + dr, column + dc)] = True
                align = _ALIGN_CSS.get(cell.align if cell.align != "AlignDefault"
                                       else (aligns[column] if column < len(aligns) else ""))
                attrs = (f' rowspan="{cell.row_span}"' if cell.row_span > 1 else "") + \
                        (f' colspan="{cell.col_span}"' if cell.col_span > 1 else "") + \
                        (f' style="text-align: {align}"' if align else "")
                cells.append(f"<{tag}{attrs}>{self.blocks(cell.blocks)}</{tag}>")
                column += cell.col_span
            out.append("<tr>" + "".join(cells) + "</tr>")
        return "".join(out)

    # --- inlines --------------------------------------------------------------------

    def visit_str(self, node: m.Str) -> str:
        return escape(self._breakable(node.text), quote=False)

    def visit_smallcaps(self, node: m.SmallCaps) -> str:
        return f'<span class="smallcaps">{self.inlines(node.content)}</span>'

    def visit_code(self, node: m.Code) -> str:
        return f"<code{self._attrs(node.attr)}>{escape(self._breakable(node.text), quote=False)}</code>"

    def visit_softbreak(self, node: m.SoftBreak) -> str:
        return "\n"

    def visit_linebreak(self, node: m.LineBreak) -> str:
        return "<br />" if self.xhtml else "<br>"

    def visit_math(self, node: m.Math) -> str:
        try:
            return self._svg(node) if self.medium.math == "svg" else mathml(node.tex, node.display)
        except MathError as exc:
            _, source, line = self._part
            col = 1
            if node.pos:
                source, line, col = node.pos.path, node.pos.line, node.pos.col
            self.diagnostics.append(warning(Code.BAD_MATH, source, line, col,
                                            cannot_typeset(node.tex, exc)))
            return f'<code class="tex">{escape(node.tex)}</code>'

    def _svg(self, node: m.Math) -> str:
        from .math_svg import render_math  # ziamath and its math font: only paged media need them

        self._formulas += 1
        # Every id inside the SVG starts with "<ident>-"; no id of the book starts so.
        svg = render_math(node.tex, node.display, self._ids.claim(f"m{self._formulas}"))
        kind = "display" if node.display else "inline"
        # The SVG sizes itself in em; the span only puts the formula's baseline on the text's.
        style = f"vertical-align: -{svg.depth_em:.3f}em; width: {svg.width_em:.3f}em"
        return f'<span class="math {kind}" role="math" aria-label="{escape(node.tex)}" style="{style}">{svg.svg}</span>'

    def visit_rawinline(self, node: m.RawInline) -> str:
        return sanitize_html(node.text, self.xhtml, "inline") if node.format == "html" else ""

    def visit_link(self, node: m.Link) -> str:
        url = self.href(node.url[1:]) if node.url.startswith("#") else node.url
        title = f' title="{escape(node.title)}"' if node.title else ""
        return f'<a href="{escape(url)}"{title}{self._attrs(node.attr)}>{self.inlines(node.content)}</a>'

    def visit_image(self, node: m.Image) -> str:
        alt = escape(stringify(node.alt))
        end = " /" if self.xhtml else ""
        return f'<img src="{escape(self.asset(node.src))}" alt="{alt}"{self._attrs(node.attr)}{end}>'

    def visit_note(self, node: m.Note) -> str:
        if not self.medium.endnotes:
            return f'<span class="footnote">{self.inlines(_note_inlines(node))}</span>'
        self._note_count += 1
        # Not taken: the counter makes each note's id differ from every other made id, and a long
        # book's notes would otherwise each leave its id behind in the set of taken ones.
        anchor = self._ids.free(f"{self._part[0]}--fn{self._note_count}")
        number = self._noted + 1
        body = self.inlines(_note_inlines(node))  # may write notes of its own first
        self._notes.append(f'<aside epub:type="footnote" role="doc-footnote" id="{escape(anchor)}">'
                           f"<p><sup>{number}</sup> {body}</p></aside>")
        self._noted += 1
        return (f'<a epub:type="noteref" role="doc-noteref" href="#{escape(anchor)}" class="noteref">'
                f"<sup>{number}</sup></a>")

    def visit_span(self, node: m.Span) -> str:
        return f"<span{self._attrs(node.attr)}>{self.inlines(node.content)}</span>"

    # --- helpers --------------------------------------------------------------------

    def _breakable(self, text: str) -> str:
        """On pages, a token too long for any word (a URL, a hash) gets a break opportunity every
        32 characters: WeasyPrint's line breaking grows much faster than the token (8,160
        characters took 146 s to lay out, 2.3 s with these breaks). Reading systems wrap themselves."""
        if not self.medium.paged:
            return text
        return _LONG_TOKEN.sub(lambda token: _ZERO_WIDTH_SPACE.join(
            token[0][i:i + 32] for i in range(0, len(token[0]), 32)), text)

    def _attrs(self, attr: m.Attr) -> str:
        parts = []
        if attr.id:
            parts.append(f' id="{escape(attr.id)}"')
        if attr.classes:
            parts.append(f' class="{escape(" ".join(attr.classes))}"')
        for key, value in attr.kv:
            if _MEANINGFUL.get(key, lambda _: False)(value):
                parts.append(f' {key}="{escape(value)}"')
            elif key.replace("-", "").isalnum():
                parts.append(f' data-{escape(key)}="{escape(value)}"')
        return "".join(parts)


def _note_inlines(note: m.Note) -> tuple[m.Inline, ...]:
    """A footnote's blocks as one run of inlines (footnotes float as inline boxes in the PDF)."""
    out: list[m.Inline] = []
    for block in note.blocks:
        if out:
            out.append(m.Str(" "))
        out.extend(getattr(block, "content", ()) if isinstance(block, (m.Para, m.Plain)) else ())
    return tuple(out)
