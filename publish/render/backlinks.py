"""Backlinks as model blocks, for the formats written through Pandoc (DOCX, Markdown)."""
from __future__ import annotations

from collections.abc import Callable

from .. import model as m

BACKLINKS_CLASS = "backlinks"


def backlinks_block(book: m.Book, entry: m.Entry, label: str, href: Callable[[str], str]) -> tuple[m.Block, ...]:
    """``Erwähnt in: A | B`` as a Div of class ``backlinks``; nothing when no entry links here."""
    sources = book.backlinks.get(entry.id, ())
    if not sources:
        return ()
    titles = {e.id: e.title_text for e in book.entries}
    inlines: list[m.Inline] = [m.Emph((m.Str(f"{label}:"),))]
    for n, source in enumerate(sources):
        inlines += [m.Str(" | " if n else " "), m.Link(m.NO_ATTR, (m.Str(titles[source]),), href(source))]
    return (m.Div(m.Attr("", (BACKLINKS_CLASS,)), (m.Para(tuple(inlines)),)),)
