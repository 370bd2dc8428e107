"""DOCX through pandoc: the model as Pandoc JSON, a generated reference document, Word fields."""
from __future__ import annotations

import hashlib
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from urllib.parse import unquote
from typing import Any

from lxml import etree

from ... import model as m
from ...theme.languages import Language, language_of
from ...names import UniqueNames
from ...output import write_atomically, write_zip
from .join import Joined
from .pandoc_docx import pandoc_docx
from .streamed import StreamedPart
from ..backlinks import backlinks_block
from .pandoc_json import metadata_json
from ...progress import Progress
from ..html.mathml import MathError, cannot_typeset, mathml
from ..html.sanitize import html_text
from ...diagnostics import Code, Diagnostic, warning
from ...tree import mark_term, transform, walk
from ...theme.theme import Theme
from .. import RenderError, RenderOptions, RenderResult
from .fields import Bookmarked, bookmarked_paragraphs, index_paragraphs, toc_lines, toc_paragraphs, xe_runs
from .fonts import embedded_fonts, font_relationships, font_table
from .libreoffice import ENVIRONMENT, measure_pages, soffice, turned_off
from .pages import Layout, break_page_before, end_section_before
from .reference import W, reference_docx, style_id

name = "docx"
suffix = ".docx"
folder = False

BOOKMARK_LIMIT = 40
"""Word refuses bookmark names longer than this."""
_W = f"{{{W}}}"


def render(book: m.Book, theme: Theme, out: Path, progress: Progress | None = None,
           options: RenderOptions | None = None) -> RenderResult:
    progress = progress or Progress()
    language = language_of(book.metadata.language)
    labels = language.labels
    names = bookmark_names(book)
    blocks = _document_blocks(book, theme, names, language)
    meta = metadata_json(book.metadata)
    meta["toc-title"] = {"t": "MetaInlines", "c": [{"t": "Str", "c": labels["contents"]}]}
    modified = book.modified
    toc = ["--toc", "--toc-depth=2"] if theme.value("features", "toc") else []
    bad_math: list[Diagnostic] = []
    plan: list[Heading] = []

    options = options or RenderOptions()

    def meanwhile() -> None:  # while pandoc works in processes of its own
        bad_math.extend(_bad_math(book))
        plan.extend(_heading_plan(blocks, theme))
        options.meanwhile()

    layout = Layout(theme, theme.values["docx"]["term"], labels["index"], book.metadata.title)
    finishing = _Finishing(plan, theme, layout)
    with progress.stage("DOCX: pandoc"), tempfile.TemporaryDirectory() as tmp:
        reference = Path(tmp) / "reference.docx"
        try:
            reference.write_bytes(reference_docx(theme, book.metadata.language))
            parts = pandoc_docx(blocks, meta, toc, [f"--reference-doc={reference}", f"--resource-path={book.source}"],
                                {"SOURCE_DATE_EPOCH": str(int(modified.timestamp()))}, Path(tmp), options.jobs,
                                finish=finishing, meanwhile=meanwhile)
        except RuntimeError as exc:
            raise RenderError(str(exc)) from exc
    with progress.stage("DOCX: pages, fields, fonts"):
        finishing.check()
        package = Package(parts)
        _add_layout(package, layout, mirrored=layout.mirrored)
        _embed_fonts(package, theme)
        lines = toc_lines(finishing.bookmarked, _outline_levels(package.parts["word/styles.xml"]))
        fill = lambda pages: {  # noqa: E731
            _TOC_MARKER.encode(): "".join(toc_paragraphs(lines, pages)).encode("utf-8"),
            _INDEX_MARKER.encode(): "".join(index_paragraphs(book, names, pages, language.lcid, labels["see"],
                                                             theme.values["docx"])).encode("utf-8")}
    notes: list[str] = []
    pages: dict[str, int] = {}
    program = soffice()
    if program is None:
        why = (f"LibreOffice turned off ({ENVIRONMENT}=off)" if turned_off()
               else "LibreOffice not found (make libreoffice-packages)")
        notes.append(f"{why}: contents and index list every entry, "
                     "their page numbers appear when Word updates the fields on opening "
                     "(in LibreOffice: Tools > Update > Update All)")
    else:
        with progress.stage("DOCX: page numbers (LibreOffice)"):
            # Any stand-in numbers will do for the layout: the contents' lines only get a number after a tab.
            trial = {line.bookmark: 100 for line in lines}
            try:
                pages = measure_pages(program, package.write(fill(trial), modified),
                                      [line.bookmark for line in lines] + list(names.values()))
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
                notes.append(f"LibreOffice could not lay the DOCX out, so it has no page numbers yet: {exc}")
    write_atomically(out, package.write(fill(pages), modified))
    return RenderResult(out, diagnostics=bad_math, notes=notes)


def _math_problem(formula: m.Math) -> MathError | None:
    """Why the formula cannot be typeset, if it cannot (the other formats' check, remembered)."""
    try:
        mathml(formula.tex, formula.display)
    except MathError as problem:
        return problem
    return None


def _bad_math(book: m.Book) -> list[Diagnostic]:
    """TeX that cannot be typeset: Word shows it as TeX source (``_for_word``), the build must hear
    of it as the other formats do."""
    found = []
    for part in (*book.front_matter, *book.entries):
        for node in walk(part.blocks):
            if isinstance(node, m.Math) and (problem := _math_problem(node)) is not None:
                path, line, col = (node.pos.path, node.pos.line, node.pos.col) if node.pos else (part.source, 1, 1)
                found.append(warning(Code.BAD_MATH, path, line, col, cannot_typeset(node.tex, problem)))
    return found


def tools() -> str:
    """The LibreOffice that will number the pages ('' without): a DOCX built without it is not
    current once it is installed."""
    return "" if turned_off() else soffice() or ""


def linker(book: m.Book) -> Callable[[str], str]:
    """A link to any id of the book is a link to its Word bookmark."""
    names = bookmark_names(book)
    return lambda anchor: "#" + names[anchor]


def bookmark_names(book: m.Book) -> dict[str, str]:
    """Every id as a Word bookmark name: letters, digits and ``_``, starting with a letter, at most
    40 characters, unique. (pandoc would hash long ids itself; readable names are kinder.)"""
    names: dict[str, str] = {}
    taken = UniqueNames(numbered=lambda base, n: f"{base[:BOOKMARK_LIMIT - len(str(n)) - 1]}_{n}", fold=str.lower)
    for anchor in book.anchors:
        name = re.sub(r"[^\w]", "_", anchor)
        if not name[:1].isalpha():
            name = "b_" + name
        if len(name) > BOOKMARK_LIMIT:
            name = f"{name[:BOOKMARK_LIMIT - 7]}_{hashlib.sha1(anchor.encode()).hexdigest()[:6]}"
        names[anchor] = taken.claim(name)
    return names


def _document_blocks(book: m.Book, theme: Theme, names: dict[str, str], language: Language) -> list[m.Block]:
    labels = language.labels
    styles = theme.values["docx"]
    blocks: list[m.Block] = []
    for part in book.front_matter:
        levels = [b.level for b in part.blocks if isinstance(b, m.Header)]
        # Marked so that each part starts a page (pandoc writes nothing for a Div without a style).
        blocks.append(m.Div(m.Attr("", (_PART_CLASS,)), _for_word(part.blocks, names, styles,
                                                                  shift=1 - min(levels, default=1))))
    for group in book.letters:
        blocks.append(m.Header(1, m.Attr(names[group.anchor], (m.LETTER_CLASS,)), (m.Str(group.letter),)))
        for entry in group.items:
            fields = [_xe(entry.title_text, main=True)] + [_xe(alias, see=f"{labels['see']} {entry.title_text}")
                                                          for alias in entry.aliases]
            blocks.append(m.Header(2, m.Attr(names[entry.id], (m.TERM_CLASS,)), entry.title + tuple(fields)))
            blocks.extend(_for_word(entry.blocks, names, styles, shift=1))
            if theme.value("features", "backlinks"):
                blocks.extend(backlinks_block(book, entry, labels["referenced_by"], lambda i: "#" + names[i]))
    blocks.append(m.Header(1, m.Attr(names[m.INDEX_ID], (_INDEX_CLASS,)), (m.Str(labels["index"]),)))
    blocks.append(m.RawBlock("openxml", _INDEX_MARKER))
    return blocks


def _for_word(blocks: tuple[m.Block, ...], names: dict[str, str], styles: Any, shift: int) -> tuple[m.Block, ...]:
    """The model's blocks as Word wants them: bookmark names, styled Divs, XE fields, no raw HTML."""
    def visit(node: Any) -> Any:
        attr = getattr(node, "attr", None)
        if isinstance(attr, m.Attr) and attr.id in names:
            node = replace(node, attr=replace(attr, id=names[attr.id]))
        if isinstance(node, m.Link) and node.url.startswith("#"):
            return replace(node, url="#" + names.get(node.url[1:], node.url[1:]))
        if isinstance(node, m.Header):
            return replace(node, level=min(9, node.level + shift))
        if isinstance(node, m.Math) and _math_problem(node) is not None:
            # shown as TeX source, as in the other formats: pandoc would typeset what it can read,
            # a formula nested thousands deep too, in Word XML too deep to read back
            return m.Code(m.Attr("", ("tex",)), node.tex)
        if isinstance(node, m.Image) and not "".join(t.text for t in walk(node.alt) if isinstance(t, m.Str)).strip():
            # Word's alternative text (docPr descr) comes from the alt text: never leave it empty.
            return replace(node, alt=(m.Str(node.title or PurePosixPath(unquote(node.src)).stem),))
        if isinstance(node, m.Span) and m.INDEX_MARK_CLASS in node.attr.classes:
            return replace(node, content=node.content + (_xe(mark_term(node)),))
        if isinstance(node, m.Div) and m.TAGLINE_CLASS in node.attr.classes:
            return replace(node, attr=replace(node.attr, kv=node.attr.kv + (("custom-style", styles["tagline"]),)))
        if isinstance(node, m.Div) and m.SEEALSO_CLASS in node.attr.classes:
            # pandoc styles a Div's own paragraphs, not list items: one "→ link" paragraph per item.
            items = [item for block in node.blocks if isinstance(block, m.BulletList) for item in block.items]
            paras = tuple(m.Para((m.Str("→ "), *item[0].content)) for item in items if item)
            return m.Div(m.Attr("", node.attr.classes, (("custom-style", styles["seealso"]),)), paras)
        # pandoc's Word writer drops raw HTML without a word: keep its text at least.
        if isinstance(node, m.RawBlock) and node.format == "html":
            text = html_text(node.text)
            return m.Para((m.Str(text),)) if text else m.Plain(())
        if isinstance(node, m.RawInline) and node.format == "html":
            return m.Str(html_text(node.text))
        return node

    return transform(blocks, visit)


def _xe(term: str, main: bool = False, see: str = "") -> m.RawInline:
    return m.RawInline("openxml", xe_runs(term, main, see))


_PART_CLASS, _INDEX_CLASS = "publish-part", "publish-index"
_TOC_MARKER = '<w:p><w:pPr><w:pStyle w:val="PublishTocField"/></w:pPr></w:p>'
_INDEX_MARKER = '<w:p><w:pPr><w:pStyle w:val="PublishIndexField"/></w:pPr></w:p>'


@dataclass(frozen=True, slots=True)
class Heading:
    """What one heading pandoc writes becomes in Word."""

    style: str | None
    """The named style it gets (None: keep pandoc's HeadingN)."""
    role: str = ""
    """``front`` (a front-matter part's first heading), ``letter``, ``index`` or empty."""


def _heading_plan(blocks: list[m.Block], theme: Theme) -> list[Heading]:
    """For each heading pandoc writes, in order: its style and its place in the book's pages."""
    styles = theme.values["docx"]
    plan: list[Heading] = []
    part_start = {id(part[0]) for part in _front_parts(blocks)}
    # Headings inside footnotes go to word/footnotes.xml, not to the document's body.
    for node in walk(tuple(blocks), prune=m.Note):
        if isinstance(node, m.Header):
            if node.level == 1 and m.LETTER_CLASS in node.attr.classes:
                plan.append(Heading(styles["letter"], "letter"))
            elif node.level == 1 and _INDEX_CLASS in node.attr.classes:
                plan.append(Heading(None, "index"))
            elif node.level == 1:
                plan.append(Heading(None, "front" if id(node) in part_start else ""))
            elif node.level == 2:
                plan.append(Heading(styles["term"] if m.TERM_CLASS in node.attr.classes else None,
                                    "front" if id(node) in part_start else ""))
            elif node.level == 3:
                plan.append(Heading(styles["seealso_heading"] if m.SEEALSO_CLASS in node.attr.classes
                                    else styles["section"]))
            else:
                plan.append(Heading(None, "front" if id(node) in part_start else ""))
    return plan


def _front_parts(blocks: list[m.Block]) -> list[list[m.Header]]:
    """The headings of each front-matter part (the blocks before the first letter), by part."""
    parts: list[list[m.Header]] = []
    for block in blocks:
        if isinstance(block, m.Div) and block.attr.classes == (_PART_CLASS,):
            parts.append([n for n in walk(block.blocks) if isinstance(n, m.Header)])
    return [p for p in parts if p]


@dataclass
class _Finishing:
    """word/document.xml finished a piece at a time (``join.join``): named heading styles (pandoc
    ignores custom-style on headings), page breaks and sections, the TOC field's place; the
    paragraphs the contents may list. The TOC and INDEX results go in last, once pages are known."""

    plan: list[Heading]
    theme: Theme
    layout: Layout
    bookmarked: list[Bookmarked] = field(default_factory=list)
    planned: int = 0
    """Headings finished so far."""
    pieces: int = 0
    first_letter: bool = True

    def __call__(self, root: etree._Element, last: bool) -> None:
        body = root.find(f"{_W}body")
        first = self.pieces == 0
        self.pieces += 1
        headings = [s for s in body.iter(f"{_W}pStyle") if re.fullmatch(r"Heading\d", s.get(f"{_W}val", ""))]
        plan = self.plan[self.planned:self.planned + len(headings)]
        self.planned += len(headings)
        if len(plan) != len(headings):
            raise RenderError(f"pandoc wrote more headings than the book's {len(self.plan)}")
        self.bookmarked.extend(bookmarked_paragraphs(body))
        new_page = self.theme.value("features", "letter_new_page")
        right_page = self.theme.value("features", "letter_right_page")
        # Each piece ends with the section pandoc took from the reference document.
        template = body.find(f"{_W}sectPr")
        start = "oddPage" if right_page else "nextPage"
        # How a section of entries starts: the print theme starts each letter on a right-hand page.
        for style, heading in zip(headings, plan):
            if heading.style:
                style.set(f"{_W}val", style_id(heading.style))
            paragraph = style.getparent().getparent()
            # A section's w:type says how that section starts; its sectPr ends it.
            if heading.role == "letter" and (self.first_letter or right_page):
                ending = (self.layout.section(template, "front") if self.first_letter
                          else self.layout.section(template, "entries", start))
                end_section_before(_first_of(paragraph), ending)
                self.first_letter = False
            elif heading.role == "index":
                end_section_before(_first_of(paragraph), self.layout.section(template, "entries", start))
            elif heading.role == "front" or (heading.role == "letter" and new_page):
                break_page_before(paragraph)
        if last:
            body.replace(template, self.layout.section(template, "index"))
        if first:
            self._start(body, template)

    def _start(self, body: etree._Element, template: etree._Element) -> None:
        """The first piece: the TOC field's place, the title page's own section."""
        toc = body.find(f".//{_W}sdt/{_W}sdtContent")
        if toc is not None:
            toc.replace(toc[1], etree.fromstring(_TOC_MARKER.replace("<w:p>", f'<w:p xmlns:w="{W}">', 1)))
        after_title = next((child for child in body if _style_of(child) not in _TITLE_BLOCK), None)
        if after_title is not None and after_title is not body[0]:
            end_section_before(after_title, self.layout.section(template, "title"))
            if after_title.tag == f"{_W}p":
                _drop_page_break(after_title)

    def check(self) -> None:
        if self.planned != len(self.plan):
            raise RenderError(f"pandoc wrote {self.planned} headings, the book has {len(self.plan)}")


_TITLE_BLOCK = ("Title", "Subtitle", "Author", "Date", "Abstract")
"""The styles of the title page pandoc writes from the metadata."""


def _style_of(element: etree._Element) -> str:
    style = element.find(f"{_W}pPr/{_W}pStyle")
    return style.get(f"{_W}val", "") if style is not None else ""


def _drop_page_break(paragraph: etree._Element) -> None:
    """A section break already starts the page."""
    for element in paragraph.findall(f"{_W}pPr/{_W}pageBreakBefore"):
        element.getparent().remove(element)


def _first_of(paragraph: etree._Element) -> etree._Element:
    """The paragraph or the bookmarks pandoc put right before it."""
    first = paragraph
    while (previous := first.getprevious()) is not None and etree.QName(previous).localname == "bookmarkStart":
        first = previous
    return first


def _outline_levels(styles: bytes) -> dict[str, int]:
    r"""Style id → outline level, following basedOn (what Word's ``TOC \o`` looks at)."""
    root = etree.fromstring(styles)
    own: dict[str, tuple[int | None, str]] = {}
    for style in root.findall(f"{_W}style"):
        level = style.find(f"{_W}pPr/{_W}outlineLvl")
        based = style.find(f"{_W}basedOn")
        own[style.get(f"{_W}styleId")] = (int(level.get(f"{_W}val")) if level is not None else None,
                                          based.get(f"{_W}val") if based is not None else "")
    levels = {}
    for sid in own:
        seen, current = set(), sid
        while current in own and current not in seen:
            seen.add(current)
            level, current = own[current][0], own[current][1]
            if level is not None:
                levels[sid] = level
                break
    return {sid: level for sid, level in levels.items() if level < 9}


@dataclass
class Package:
    """A DOCX as its parts, in pandoc's order (the body and the notes streamed); new parts are
    added at the end."""

    parts: Joined

    def write(self, replace: Mapping[bytes, bytes], modified: Any) -> bytes:
        """The package, each key of ``replace`` replaced in ``word/document.xml`` where it first occurs."""
        def member(name: str, data: bytes | StreamedPart) -> bytes | Callable[[], Iterable[bytes]]:
            if isinstance(data, bytes):
                return data
            return lambda: data.written(replace if name == "word/document.xml" else None)

        # Deflate level 6 (half the time of 9, 1 % larger), the embedded fonts level 1: they shrink
        # to 0.47 of their size at 6 and 0.49 at 1, in a third of the time.
        return write_zip(((name, member(name, data)) for name, data in self.parts.items()), modified,
                         level=lambda name: 1 if name.startswith("word/fonts/") else 6)

    def change(self, name: str, how: Callable[[etree._Element], None]) -> None:
        data = self.parts[name]
        if isinstance(data, StreamedPart):
            data.change(how)
            return
        root = etree.fromstring(data)
        how(root)
        self.parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"


def _add_layout(package: Package, layout: Layout, mirrored: bool) -> None:
    """Header and footer parts, their relationships and content types; settings for the pages."""
    from .pages import FOOTER_CONTENT, FOOTER_TYPE, HEADER_CONTENT, HEADER_TYPE

    for part in layout.parts:
        package.parts[f"word/{part.name}"] = part.xml

    def relationships(root: etree._Element) -> None:
        for part in layout.parts:
            etree.SubElement(root, f"{{{_RELS}}}Relationship", {
                "Id": part.rel_id, "Type": HEADER_TYPE if part.kind == "header" else FOOTER_TYPE,
                "Target": part.name})

    def types(root: etree._Element) -> None:
        for part in layout.parts:
            etree.SubElement(root, f"{{{_TYPES}}}Override", {
                "PartName": f"/word/{part.name}",
                "ContentType": HEADER_CONTENT if part.kind == "header" else FOOTER_CONTENT})

    package.change("word/_rels/document.xml.rels", relationships)
    package.change("[Content_Types].xml", types)
    package.change("word/settings.xml", lambda root: _settings(root, mirrored))


def _embed_fonts(package: Package, theme: Theme) -> None:
    fonts = embedded_fonts(theme)
    if not fonts:
        return
    for font in fonts:
        package.parts[f"word/{font.part}"] = font.data
    package.parts["word/fontTable.xml"] = font_table(package.parts["word/fontTable.xml"], fonts)
    package.parts["word/_rels/fontTable.xml.rels"] = font_relationships(fonts)
    package.change("word/settings.xml", lambda root: _set(root, "embedTrueTypeFonts"))


# CT_Settings is a sequence: each element must stand before those that follow it here.
_SETTINGS_ORDER = ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                   "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
                   "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
                   "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
                   "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop", "hideSpellingErrors",
                   "hideGrammaticalErrors", "activeWritingStyle", "proofState", "formsDesign", "attachedTemplate",
                   "linkStyles", "stylePaneFormatFilter", "stylePaneSortMethod", "documentType", "mailMerge",
                   "revisionView", "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting",
                   "documentProtection", "autoFormatOverride", "styleLockTheme", "styleLockQFSet",
                   "defaultTabStop", "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone",
                   "doNotHyphenateCaps", "showEnvelope", "summaryLength", "clickAndTypeStyle",
                   "defaultTableStyle", "evenAndOddHeaders", "bookFoldRevPrinting", "bookFoldPrinting",
                   "bookFoldPrintingSheets", "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
                   "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
                   "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
                   "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
                   "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
                   "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
                   "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
                   "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
                   "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr",
                   "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                   "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions",
                   "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
                   "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


def _settings(root: etree._Element, mirrored: bool) -> None:
    # Word asks to update fields (TOC, INDEX, running heads) when the document opens: its own
    # layout gives its own page numbers.
    _set(root, "updateFields")
    if mirrored:
        _set(root, "mirrorMargins")
        _set(root, "evenAndOddHeaders")


def _set(root: etree._Element, name: str) -> None:
    old = root.find(f"{_W}{name}")
    if old is not None:
        root.remove(old)
    element = etree.Element(f"{_W}{name}", {f"{_W}val": "true"})
    rank = _SETTINGS_ORDER.index(name)
    later = next((c for c in root if etree.QName(c).localname in _SETTINGS_ORDER
                  and _SETTINGS_ORDER.index(etree.QName(c).localname) > rank), None)
    if later is None:
        root.append(element)
    else:
        later.addprevious(element)
