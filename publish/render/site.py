"""The book as a static website: a page per entry, A–Z, index, front matter, sitemap, search."""
from __future__ import annotations

from collections.abc import Callable
from html import escape
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .. import model as m
from ..diagnostics import Diagnostic
from ..names import UniqueNames
from ..output import write_atomically
from ..progress import Progress
from ..theme.languages import language_of
from ..theme.theme import FontFace, Theme
from . import RenderOptions, RenderResult
from .files import image_names
from .search import DOCUMENTS, FOLDER, LICENCES, SCRIPTS, search_documents
from .html.book import BookHtml
from .html.writer import WEB

name = "html"
suffix = "-html"
folder = True

HOME, A_Z, INDEX_PAGE, NOT_FOUND = "index.html", "a-z.html", "book-index.html", "404.html"
_GENERATED = ("index", "a-z", "book-index", "404", "sitemap", "search", "css", "fonts", "images")
"""Names the site itself uses: no entry's page takes them (compared case-insensitively)."""
_NAME_BYTES = 200


def page_names(book: m.Book) -> dict[str, str]:
    """Entry and front-matter id → its page: the id itself (``GPU.html``), unique even on file
    systems that ignore case, never one of the site's own names, short enough for any file system."""
    names = UniqueNames(fold=str.casefold)
    for generated in _GENERATED:
        names.reserve(generated)
    pages = {m.INDEX_ID: INDEX_PAGE}
    for part in (*book.front_matter, *book.entries):
        stem = part.id
        while len(stem.encode("utf-8")) > _NAME_BYTES:
            stem = stem[:-1]
        pages[part.id] = names.claim(stem) + ".html"
    return pages


def linker(book: m.Book) -> Callable[[str], str]:
    """``GPU.html`` for an entry, ``GPU.html#GPU--aufbau`` inside it, ``a-z.html#letter-A`` for a letter."""
    return _linker(book, page_names(book))


def _linker(book: m.Book, pages: dict[str, str]) -> Callable[[str], str]:
    letters = {group.anchor for group in book.letters}

    def href(anchor: str) -> str:
        if anchor in letters:
            return f"{A_Z}#{quote(anchor)}"
        page = quote(pages[book.part_of(anchor)])
        return page if anchor in pages and anchor != m.INDEX_ID else f"{page}#{quote(anchor)}"

    return href


def render(book: m.Book, theme: Theme, out: Path, progress: Progress | None = None,
           options: RenderOptions | None = None) -> RenderResult:
    """Write every page, the stylesheet, fonts, images, search and sitemap into ``out``."""
    progress = progress or Progress()
    with progress.stage("website: writing pages", len(book.entries)):
        written = write_site(book, theme, out)
    notes = [] if book.metadata.base_url else [
        "website: no sitemap.xml (it needs absolute addresses): set base_url in book.toml's [book] "
        "to the address the site is published at"]
    return RenderResult(out, diagnostics=written.diagnostics, notes=notes)


@dataclass(frozen=True, slots=True)
class Written:
    changed: tuple[str, ...]
    """The files (relative to the site) whose bytes differ from what the folder held."""
    diagnostics: list[Diagnostic]


def write_site(book: m.Book, theme: Theme, out: Path, previous: m.Book | None = None) -> Written:
    """Every page, the stylesheet, fonts, images, the search and the sitemap; a file whose bytes are already
    there is left alone, so a preview knows exactly which pages an edit changed. Given the book
    of the last build in ``out``, entry pages that cannot have changed are not rendered again."""
    pages = page_names(book)
    images = image_names(book)
    href = _linker(book, pages)
    html = BookHtml(book, theme, href=href, medium=WEB, asset=lambda src: quote(images[src]), backlinks=True,
                    standalone=True)
    labels = language_of(book.metadata.language).labels
    dirty = changed_entries(book, previous)
    context = html.context(lambda entry: dirty is None or entry.id in dirty)
    entries = [part for letter in context["letters"] for part in letter.entries]
    changed: list[str] = []
    pages_written: set[str] = set()

    base_url = book.metadata.base_url

    def page(file: str, template: str, title: str, **extra: object) -> None:
        canonical = base_url + quote(file) if base_url and file != NOT_FOUND else ""
        text = theme.render(f"site/{template}", title=title, canonical=canonical, a_z=A_Z, home=HOME,
                            index_page=INDEX_PAGE, search=DOCUMENTS, term_level=1, **context, **extra)
        _write(out, file, text.encode("utf-8"), changed)
        pages_written.add(file)

    if dirty is None or previous is None or _outline(previous) != _outline(book):
        page(HOME, "home.html.j2", book.metadata.title)
        page(A_Z, "a-z.html.j2", labels["a_z"])
        page(INDEX_PAGE, "index.html.j2", labels["index"])
        page(NOT_FOUND, "404.html.j2", labels["not_found"])
        for part in context["front_matter"]:
            page(pages[part.id], "front.html.j2", part.title, part=part)
    else:  # they show only the outline and what ``changed_entries`` found unchanged
        pages_written.update((HOME, A_Z, INDEX_PAGE, NOT_FOUND, *(pages[f.id] for f in book.front_matter)))
    for n, part in enumerate(entries):
        if dirty is not None and part.id not in dirty:
            pages_written.add(pages[part.id])
            continue
        neighbours = {key: (e.title_text, href(e.id)) if e else None
                      for key, e in (("previous", entries[n - 1] if n else None),
                                     ("next", entries[n + 1] if n + 1 < len(entries) else None))}
        page(pages[part.id], "entry.html.j2", part.title_text, entry=part, **neighbours)
    fonts: dict[str, FontFace] = {}

    def font_url(face: FontFace) -> str:
        fonts[face.path.name] = face
        return f"../fonts/{quote(face.path.name)}"

    css = html.css("book.css.j2", "site.css.j2", font_url=font_url)
    _write(out, "css/site.css", str(css).encode("utf-8"), changed)
    for file, face in fonts.items():
        _write(out, f"fonts/{file}", face.path.read_bytes(), changed)
    for src, target in images.items():
        _write(out, target, (book.source / src).read_bytes(), changed)
    front_titles = {part.id: part.title for part in context["front_matter"]}
    _write(out, DOCUMENTS, search_documents(book, pages, front_titles), changed)
    for file in (*SCRIPTS, *LICENCES):
        _write(out, f"{FOLDER}/{file}", theme.asset(f"js/{file}"), changed)
    if base_url:
        _write(out, "sitemap.xml", _sitemap(base_url, [HOME, A_Z, INDEX_PAGE, *pages.values()]), changed)
    elif (out / "sitemap.xml").exists():
        (out / "sitemap.xml").unlink()  # book.toml's base_url was taken out since the last preview build
        changed.append("sitemap.xml")
    for stale in sorted(p for p in out.glob("*.html") if p.name not in pages_written):
        stale.unlink()  # an entry that was deleted or renamed since the last preview build
        changed.append(stale.name)
    return Written(tuple(changed), html.diagnostics)


def changed_entries(book: m.Book, previous: m.Book | None) -> set[str] | None:
    """The entries whose page may differ from the last build's: their own text, their neighbours
    (previous/next) or the entries linking to them changed, or the titles these show. None (every
    page) when anything every page shows or links to changed: the metadata, the front matter,
    which entries there are, which entry holds which id, the pages' names, the images."""
    if (previous is None or previous.metadata != book.metadata or previous.front_matter != book.front_matter
            or previous.anchors != book.anchors or previous.images != book.images
            or page_names(previous) != page_names(book)):
        return None
    before = _entry_views(previous)
    return {entry_id for entry_id, view in _entry_views(book).items() if before.get(entry_id) != view}


def _entry_views(book: m.Book) -> dict[str, tuple[object, ...]]:
    """What each entry's page shows besides the theme: the entry, its neighbours' ids and titles,
    and the ids and titles of the entries linking to it."""
    titles = {e.id: e.title_text for e in book.entries}
    entries = book.entries

    def neighbour(n: int) -> tuple[str, str] | None:
        return (entries[n].id, entries[n].title_text) if 0 <= n < len(entries) else None

    return {e.id: (e, neighbour(n - 1), neighbour(n + 1), tuple((i, titles[i]) for i in book.backlinks.get(e.id, ())))
            for n, e in enumerate(entries)}


def _outline(book: m.Book) -> tuple[object, ...]:
    """What home, A–Z, index and 404 pages show besides the metadata and front matter: the
    entries' ids and titles in order (their letters follow from the titles) and the index."""
    return [(e.id, e.title_text) for e in book.entries], book.index


def _write(site: Path, name: str, data: bytes, changed: list[str]) -> None:
    path = site / name
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    write_atomically(path, data)
    changed.append(name)


def _sitemap(base_url: str, files: list[str]) -> bytes:
    """Every page at its absolute address (the sitemap protocol allows no other)."""
    urls = "".join(f"<url><loc>{escape(base_url + quote(f))}</loc></url>\n" for f in dict.fromkeys(files))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n').encode("utf-8")

