"""EPUB 3 through ebooklib: one XHTML document per entry, nav with landmarks, MathML, reproducible zip."""
from __future__ import annotations

import io
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from .. import model as m
from ..diagnostics import Diagnostic
from .html.book import BookHtml, EntryPart
from .html.writer import REFLOWABLE
from ..theme.languages import language_of, month_number
from ..names import UniqueNames
from .files import ascii_stem, image_names
from .pages import PrintEdition, element_children
from ..output import rewrite_zip, write_atomically
from ..progress import Progress
from ..tree import stringify, typeset_strings, walk
from ..theme.theme import FontFace, Theme
from . import RenderError, RenderOptions, RenderResult

if TYPE_CHECKING:
    from ebooklib import epub

name = "epub"
suffix = ".epub"
folder = False
takes_print_edition = True
"""The build hands ``render`` the pages of a PDF it rendered in the same run (``print_edition``)."""

XHTML = "application/xhtml+xml"
XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
ACCESSIBILITY = (
    ("schema:accessMode", "textual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "index"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityFeature", "alternativeText"),
    ("schema:accessibilityHazard", "none"),
    ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"),
)


@dataclass
class _Document:
    """A finished XHTML document: ebooklib writes it as it is, as a plain item (its EpubHtml would
    re-template it and drop the attributes of <html> and <body>)."""

    uid: str
    file_name: str
    content: bytes
    properties: list[str]
    pieces: Callable[[], Iterator[bytes]] | None = None
    """The document in pieces when it is too large to hold (``content`` is then empty): they go
    straight into the zip."""


_PROPERTIES = (("mathml", "<math"), ("svg", "<svg"))
"""A document's manifest properties and the markup that calls for each."""

_BODY = "\x00body\x00"
"""Where an entry's body goes in its rendered templates: no text of the book holds a NUL."""

_PIECE = 1 << 20
"""Bytes of a streamed body read at a time."""


def render(book: m.Book, theme: Theme, out: Path, progress: Progress | None = None,
           print_edition: PrintEdition | None = None, options: RenderOptions | None = None) -> RenderResult:
    """Write the EPUB; with ``print_edition``, page-break markers and a page list for its pages."""
    with tempfile.TemporaryDirectory() as tmp:
        content, diagnostics = _render(book, theme, Path(tmp), progress or Progress(), print_edition)
        write_atomically(out, content)
    return RenderResult(out, diagnostics=diagnostics)


def _render(book: m.Book, theme: Theme, tmp: Path, progress: Progress, print_edition: PrintEdition | None
            ) -> tuple[bytes, list[Diagnostic]]:
    """The EPUB's bytes and the problems found; each entry's body is written to a file in ``tmp``
    as it is rendered."""
    files = _file_names(book)
    images = image_names(book)
    html = BookHtml(book, theme, href=_linker(book, files), medium=REFLOWABLE, asset=images.__getitem__)
    labels = language_of(book.metadata.language).labels
    docs: list[_Document] = []
    breaks = _page_breaks(book, print_edition)
    page_list: list[tuple[str, str]] = []
    bodies: dict[str, tuple[Path, set[str]]] = {}

    def document(name: str, title: str, body: str, part: str = "") -> _Document:
        if breaks.get(part):
            body, placed = _with_page_breaks(body, part, breaks[part])
            page_list.extend((label, f"{name}#{ident}") for label, ident in placed)
        properties = [p for p, marker in _PROPERTIES if marker in body]
        page = theme.render("epub/document.xhtml.j2", book=book, title=title, body=Markup(body))
        # Manifest ids come from the (unique, ASCII) file names, never from entry ids: an entry
        # with the id "css" or "ncx" must not collide with the package's own items.
        doc = _Document(f"doc-{Path(name).stem}", name, page.encode("utf-8"), properties)
        docs.append(doc)
        return doc

    def entry_document(name: str, part: EntryPart, heading: str) -> None:
        """An entry's document around its body, which ``write_body`` wrote to a file: the body goes
        into the zip from there, unless page-break markers need its elements or the theme's
        template does not show it exactly once."""
        path, found = bodies.pop(part.id)
        around = heading + theme.render("entry.html.j2", entry=replace(part, body=Markup(_BODY)), labels=labels)
        if breaks.get(part.id) or around.count(_BODY) != 1:
            whole = replace(part, body=Markup(path.read_text("utf-8")))
            document(name, part.title_text, heading + theme.render("entry.html.j2", entry=whole, labels=labels), part.id)
            return
        doc = document(name, part.title_text, around, part.id)
        head, _, tail = doc.content.partition(_BODY.encode())
        doc.properties[:] = [p for p, marker in _PROPERTIES if marker in found or marker.encode() in head + tail]
        doc.content, doc.pieces = b"", lambda: _pieces(head, path, tail)

    def write_body(entry: m.Entry) -> EntryPart:
        """Render the entry's body into a file, noting which markers of document properties it holds."""
        path, found = tmp / f"body-{len(bodies)}.xhtml", set()
        with path.open("w", encoding="utf-8", newline="") as handle:
            for piece in html.entry_body(entry):
                found.update(marker for _, marker in _PROPERTIES if marker in piece)
                handle.write(piece)
        bodies[entry.id] = (path, found)
        return html.entry_part(entry, Markup(""))

    with progress.stage("EPUB: writing documents", len(book.entries)):
        context = html.context(write=write_body)
    document(files["cover"], labels["cover"],
             theme.render("epub/cover.xhtml.j2", book=book, cover=Markup(_cover_svg(book, theme))))
    document(files["titlepage"], book.metadata.title,
             theme.render("title.html.j2", book=book, labels=labels))
    nav = document(files["toc"], labels["contents"], "")
    nav.properties.append("nav")
    for part in context["front_matter"]:
        document(files[part.id], part.title,
                 f'<section class="frontmatter" id="{part.id}">{part.html}</section>', part.id)
    for letter in context["letters"]:
        for n, part in enumerate(letter.entries):
            heading = f'<h1 class="letter" id="{letter.anchor}">{escape(letter.letter)}</h1>\n' if n == 0 else ""
            entry_document(files[part.id], part, heading)
    document(files[m.INDEX_ID], labels["index"], theme.render("index.html.j2", **context), m.INDEX_ID)
    # The nav comes third in the spine but is written last: its page list needs every marker.
    nav.content = theme.render("epub/document.xhtml.j2", book=book, title=labels["contents"], body=Markup(
        theme.render("epub/nav.xhtml.j2", files=files, pages=page_list, **context))).encode("utf-8")
    nav.properties[:] = ["nav", *(p for p, marker in _PROPERTIES if marker.encode() in nav.content)]

    with progress.stage("EPUB: packaging", len(docs)):
        content = _package(book, theme, docs, files, labels, html, images, print_edition if page_list else None, tmp)
    return content, html.diagnostics


def _pieces(head: bytes, body: Path, tail: bytes) -> Iterator[bytes]:
    yield head
    with body.open("rb") as handle:
        while piece := handle.read(_PIECE):
            yield piece
    yield tail


def _package(book: m.Book, theme: Theme, docs: list[_Document], files: dict[str, str],
             labels: Mapping[str, str], html: BookHtml, images: Mapping[str, str],
             print_edition: PrintEdition | None, tmp: Path) -> bytes:
    from ebooklib import epub  # and lxml: 9 MB of modules, imported once the book is read and written

    meta = book.metadata
    package = epub.EpubBook()
    package.set_identifier(meta.identifier or _stable_identifier(meta))
    package.set_title(meta.title)
    package.set_language(meta.language)
    for n, author in enumerate(meta.authors):
        package.add_author(author, uid=f"creator{n}")  # ebooklib's default uid would repeat
    if w3c_date(meta.date):
        package.add_metadata("DC", "date", w3c_date(meta.date))
    if meta.rights:
        package.add_metadata("DC", "rights", meta.rights)
    for prop, value in ACCESSIBILITY:
        package.add_metadata(None, "meta", value, {"property": prop})
    for prop, value in _content_dependent_accessibility(book):
        package.add_metadata(None, "meta", value, {"property": prop})
    if print_edition:
        for feature in ("pageBreakMarkers", "pageNavigation"):
            package.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
        package.add_metadata("DC", "source", print_edition.source)
        package.add_metadata(None, "meta", print_edition.source, {"property": "pageBreakSource"})
    for author in meta.authors[:1]:
        # EPUB Accessibility 1.1 names who stands behind the conformance claim: the book's
        # publisher, which for these books is its author (docs/accessibility.md: what to check).
        package.add_metadata(None, "meta", author, {"property": "a11y:certifiedBy"})
    summary = language_of(meta.language).accessibility_summary.format(title=meta.title, entries=len(book.entries))
    package.add_metadata(None, "meta", summary, {"property": "schema:accessibilitySummary"})

    css = html.css("book.css.j2", "epub.css.j2", font_url=lambda face: f"../fonts/{face.path.name}")
    package.add_item(epub.EpubItem(uid="css", file_name="css/book.css", media_type="text/css",
                                   content=str(css).encode("utf-8")))
    # Each character once: fontTools makes a list of every character it is given (8 bytes each);
    # gathered string by string, never the book's whole text at once.
    characters = set().union(*labels.values(), *(g.letter for g in book.index))
    for piece in typeset_strings(book):
        characters.update(piece)
    text = "".join(sorted(characters))
    for face in _used_faces(theme, str(css)):
        package.add_item(epub.EpubItem(uid=f"font-{face.path.stem}", file_name=f"fonts/{face.path.name}",
                                       media_type="font/ttf", content=_subset(face, text)))
    for n, (src, name) in enumerate(images.items(), start=1):
        package.add_item(epub.EpubItem(uid=f"image-{n}", file_name=name, media_type=book.images[src],
                                       content=(book.source / src).read_bytes()))
    cover = epub.EpubCover(uid="cover-image", file_name="cover.svg")
    cover.media_type, cover.content = "image/svg+xml", _cover_svg(book, theme).encode("utf-8")
    package.add_item(cover)
    package.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})  # for EPUB 2 readers
    spine = []
    for doc in docs:
        item = epub.EpubItem(uid=doc.uid, file_name=doc.file_name, media_type=XHTML, content=doc.content)
        item.properties, item.is_linear = doc.properties, True
        package.add_item(item)
        spine.append(item)
    package.add_item(epub.EpubNcx())
    package.spine = spine
    package.toc = _ncx_toc(book, files, labels)
    target = tmp / "book.epub"
    if not epub.write_epub(str(target), package, {"mtime": book.modified, "raise_exceptions": True, "epub3_pages": False}):
        raise RenderError("ebooklib did not write the EPUB")
    return rewrite_zip(target.read_bytes(), book.modified, first="mimetype",
                       change={"EPUB/content.opf": lambda opf: _package_language(opf, meta.language)},
                       replace={f"EPUB/{doc.file_name}": doc.pieces for doc in docs if doc.pieces})


def _content_dependent_accessibility(book: m.Book) -> list[tuple[str, str]]:
    """What is only true of some books: images are a visual access mode (their alt text keeps the
    book sufficient as text), formulas are MathML."""
    kinds = {type(n) for part in (*book.front_matter, *book.entries) for n in walk(part.blocks)}
    found = []
    if m.Image in kinds:
        found.append(("schema:accessMode", "visual"))
    if m.Math in kinds:
        found.append(("schema:accessibilityFeature", "MathML"))
    return found


def _package_language(opf: bytes, language: str) -> bytes:
    """``xml:lang`` on ``<package>``: ebooklib writes only ``dc:language``, and reading systems
    and Ace take the package's language for the metadata's text (the summary, the title)."""
    head, sep, rest = opf.partition(b"<package ")
    if not sep or b"xml:lang=" in rest.split(b">", 1)[0]:
        return opf
    return head + sep + b'xml:lang="' + escape(language).encode("utf-8") + b'" ' + rest


def _page_breaks(book: m.Book, edition: PrintEdition | None) -> dict[str, list[tuple[int, str, str]]]:
    """(block, page label, marker id) of every page break, by the part it falls in, in page order."""
    breaks: dict[str, list[tuple[int, str, str]]] = {}
    if edition is None:
        return breaks
    ids = UniqueNames()
    for anchor in book.anchors:
        ids.reserve(anchor)
    for page in edition.pages:
        breaks.setdefault(page.part, []).append((page.block, page.label, ids.claim(f"page-{page.label}")))
    return breaks


def _with_page_breaks(body: str, part: str, breaks: list[tuple[int, str, str]]) -> tuple[str, list[tuple[str, str]]]:
    """``body`` with an empty ``pagebreak`` span (labelled with the page number) before the block
    each page begins in (-1: before everything, the letter divider), and the (label, id) of every
    marker placed; a break whose block the body lacks is left out rather than pointing nowhere."""
    from lxml import etree

    try:
        wrapper = etree.fromstring(f'<div xmlns="{XHTML_NS}" xmlns:epub="{OPS_NS}">{body}</div>')
    except etree.XMLSyntaxError:
        return body, []
    container = next((el for el in wrapper.iter() if el.get("id") == part), None)
    if container is None:
        return body, []
    blocks, first = element_children(container), element_children(wrapper)[0]
    placed = []
    for block, label, ident in breaks:
        before = first if block < 0 else blocks[block] if block < len(blocks) else None
        if before is None:
            continue
        marker = etree.Element(f"{{{XHTML_NS}}}span", {"id": ident, f"{{{OPS_NS}}}type": "pagebreak",
                                                        "role": "doc-pagebreak", "aria-label": label})
        before.addprevious(marker)
        placed.append((label, ident))
    text = etree.tostring(wrapper, encoding="unicode")
    return text[text.index(">") + 1:text.rindex("</div>")], placed


def _file_names(book: m.Book) -> dict[str, str]:
    """Document file per entry, front matter and generated part; ASCII names, unique."""
    generated = {m.INDEX_ID: "index", "titlepage": "title", "toc": "nav", "cover": "cover"}
    stems = UniqueNames()
    for stem in generated.values():
        stems.reserve(stem)
    for part in [*book.front_matter, *book.entries]:
        generated[part.id] = stems.claim(ascii_stem(part.id, "part"))
    return {part: f"{stem}.xhtml" for part, stem in generated.items()}


def linker(book: m.Book) -> Callable[[str], str]:
    """``file.xhtml#id`` for any id in the book."""
    return _linker(book, _file_names(book))


def _linker(book: m.Book, files: dict[str, str]) -> Callable[[str], str]:
    return lambda anchor: f"{files[book.part_of(anchor)]}#{anchor}"


def _ncx_toc(book: m.Book, files: dict[str, str], labels: Mapping[str, str]) -> list:
    from ebooklib import epub

    def link(part: str, title: str) -> epub.Link:
        # NCX ids, like manifest ids, come from the unique file names, not from entry ids.
        return epub.Link(files[part], title, f"toc-{Path(files[part]).stem}")

    toc: list = [link(f.id, stringify(next((b.content for b in f.blocks if isinstance(b, m.Header)), ())) or f.id)
                 for f in book.front_matter]
    for group in book.letters:
        first = files[group.items[0].id]
        toc.append((epub.Section(group.letter, f"{first}#{group.anchor}"),
                    [link(e.id, e.title_text) for e in group.items]))
    toc.append(link(m.INDEX_ID, labels["index"]))
    return toc


def w3c_date(text: str) -> str:
    """The date as dc:date wants it (W3CDTF): ISO dates pass, ``im März 2025`` becomes ``2025-03``."""
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text.strip()):
        return text.strip()
    year = re.search(r"\b(\d{4})\b", text)
    if not year:
        return ""
    month = next((n for word in re.findall(r"[^\W\d_]+", text.lower()) if (n := month_number(word))), None)
    return f"{year[1]}-{month:02d}" if month else year[1]


def _stable_identifier(meta: m.Metadata) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'publish:' + meta.title + '|' + '|'.join(meta.authors))}"


def _used_faces(theme: Theme, css: str) -> list[FontFace]:
    return [face for face in theme.fonts if f"../fonts/{face.path.name}" in css]


def _subset(face: FontFace, text: str) -> bytes:
    """Only the glyphs the book uses: the whole Noto family would add megabytes to every EPUB."""
    from fontTools import subset  # 18 MB of modules: imported once the book's text is no longer read

    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(face.path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + "0123456789→–—„“‚‘…")
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    return buffer.getvalue()


def _cover_svg(book: m.Book, theme: Theme) -> str:
    lines = _wrap(book.metadata.title, 16)
    return theme.render("epub/cover.svg.j2", book=book, title_lines=lines)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines
