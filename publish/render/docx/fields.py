"""Word fields with their results already in place: TOC and INDEX show on opening, XE marks the index.

A field is ``begin · instruction · separate · result · end``; Word and LibreOffice show the
result as it was saved until someone updates the field, so the result we write is what a reader
sees first. Page numbers go into the results once a layout has measured them (``pages``); until
then the contents and the index are complete, linked lists without numbers.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape

from lxml import etree

from ... import model as m
from .reference import W

_W = f"{{{W}}}"
TOC_DEPTH = 2
"""Letters and front-matter parts, then entry terms: the contents Word builds from ``TOC \\o "1-2"``."""


FIELD_END = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def field_begin(instruction: str) -> str:
    """A field's start up to its result: begin, the instruction, separate."""
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {xml_escape(instruction)} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')


def field_runs(instruction: str, result: str = "") -> str:
    """A complex field as runs; ``result`` is already run markup (empty: no result)."""
    return field_begin(instruction) + result + FIELD_END


def text_run(text: str, props: str = "") -> str:
    return f'<w:r>{f"<w:rPr>{props}</w:rPr>" if props else ""}<w:t xml:space="preserve">{xml_escape(text)}</w:t></w:r>'


def xe_runs(term: str, main: bool = False, see: str = "") -> str:
    """A Word index entry field (no result: XE shows nothing); ``\\b`` prints its page in bold."""
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace(":", "\\:") + '"'

    switches = (" \\b" if main else "") + (f" \\t {quoted(see)}" if see else "")
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> XE {xml_escape(quoted(term) + switches)} </w:instrText></w:r>'
            + FIELD_END)


@dataclass(frozen=True, slots=True)
class TocLine:
    level: int
    text: str
    bookmark: str


@dataclass(frozen=True, slots=True)
class Bookmarked:
    """A paragraph with a bookmark just before it (pandoc bookmarks every heading)."""

    style: str
    text: str
    bookmark: str


def bookmarked_paragraphs(body: etree._Element) -> Iterator[Bookmarked]:
    bookmark = ""
    start, end, paragraph, style_path = f"{_W}bookmarkStart", f"{_W}bookmarkEnd", f"{_W}p", f"{_W}pPr/{_W}pStyle"
    for child in body:
        tag = child.tag
        if tag == start:
            bookmark = child.get(f"{_W}name", "")
            continue
        if tag == paragraph and bookmark:
            style = child.find(style_path)
            yield Bookmarked(style.get(f"{_W}val", "") if style is not None else "",
                             "".join(t.text or "" for t in child.iter(f"{_W}t")), bookmark)
        if tag != end:
            bookmark = ""


def toc_lines(paragraphs: Iterable[Bookmarked], outline: Mapping[str, int]) -> list[TocLine]:
    """Every paragraph Word's ``TOC \\o`` would collect: styles with an outline level up to
    ``TOC_DEPTH``, each with its bookmark."""
    return [TocLine(level + 1, p.text, p.bookmark) for p in paragraphs
            if (level := outline.get(p.style, 99)) < TOC_DEPTH]


def toc_paragraphs(lines: list[TocLine], pages: Mapping[str, int]) -> list[str]:
    """The TOC field with its result: one linked paragraph per heading, the page after a tab."""
    instruction = f'TOC \\o "1-{TOC_DEPTH}" \\h \\z \\u'
    paragraphs = []
    for i, line in enumerate(lines):
        page = pages.get(line.bookmark)
        number = ('<w:r><w:tab/></w:r>' + field_runs(f"PAGEREF {line.bookmark} \\h", text_run(str(page)))
                  if page else "")
        entry = (f'<w:hyperlink w:anchor="{xml_escape(line.bookmark)}" w:history="1">'
                 f"{text_run(line.text)}{number}</w:hyperlink>")
        begin = field_begin(instruction) if i == 0 else ""
        end = FIELD_END if i == len(lines) - 1 else ""
        paragraphs.append(f'<w:p><w:pPr><w:pStyle w:val="TOC{line.level}"/></w:pPr>{begin}{entry}{end}</w:p>')
    return paragraphs


def index_paragraphs(book: m.Book, names: Mapping[str, str], pages: Mapping[str, int], lcid: int,
                     see_label: str, styles: Mapping[str, str]) -> list[str]:
    """The INDEX field with its result: letters, terms linked to their entries, their pages (the
    entry's own in bold), aliases with "see". Word's own update gives the same lines, without links."""
    from .reference import style_id

    letter_style, entry_style = style_id(styles["index_letter"]), style_id(styles["index_entry"])
    out: list[str] = []
    for group in book.index:
        out.append(f'<w:p><w:pPr><w:pStyle w:val="{letter_style}"/></w:pPr>{text_run(group.letter)}</w:p>')
        for item in group.items:
            first = names[item.targets[0].id]
            if item.see:
                runs = (text_run(f"{item.term}, ") + text_run(see_label, "<w:i/>") + text_run(" ")
                        + f'<w:hyperlink w:anchor="{first}" w:history="1">{text_run(item.see)}</w:hyperlink>')
            else:
                runs = f'<w:hyperlink w:anchor="{first}" w:history="1">{text_run(item.term)}</w:hyperlink>'
                seen: set[int] = set()
                for target in item.targets:
                    page = pages.get(names[target.id])
                    if page is None or page in seen:
                        continue
                    seen.add(page)
                    runs += text_run(", ") + text_run(str(page), "<w:b/>" if target.main else "")
            out.append(f'<w:p><w:pPr><w:pStyle w:val="{entry_style}"/></w:pPr>{runs}</w:p>')
    instruction = f'INDEX \\c "1" \\z "{lcid}" \\h "A"'
    if not out:
        return [f"<w:p>{field_runs(instruction)}</w:p>"]
    out[0] = out[0].replace("</w:pPr>", "</w:pPr>" + field_begin(instruction), 1)
    out[-1] = out[-1].removesuffix("</w:p>") + FIELD_END + "</w:p>"
    return out

