"""The website's search: what every page holds as plain text, shipped as a script the browser indexes."""
from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import quote

from .. import model as m
from ..tree import stringify, walk

SCRIPTS = ("minisearch.js", "search.js")
"""The theme's ``js/`` files the search box runs (MiniSearch, vendored with its licence, and ours)."""
LICENCES = ("minisearch-LICENSE.txt",)
FOLDER = "search"
"""The site's folder for the search: the scripts, MiniSearch's licence and the documents."""
DOCUMENTS = f"{FOLDER}/index.js"
"""The documents, loaded by a ``<script>`` tag, which browsers allow from
``file://`` where they refuse ``fetch`` (why Pagefind cannot search a site opened from its folder)."""


def search_documents(book: m.Book, pages: Mapping[str, str], front_titles: Mapping[str, str]) -> bytes:
    """``window.publishSearch``: one document per entry, then per front-matter page, numbered from 0:
    its page (as a link), title, aliases and text (notes and formulas' TeX included, markup left out)."""
    parts = [(e.id, e.title_text, " ".join(e.aliases), e.blocks) for e in book.entries]
    parts += [(f.id, front_titles[f.id], "", f.blocks) for f in book.front_matter]
    documents = [{"id": n, "url": quote(pages[part]), "title": title, "aliases": aliases, "text": _text(blocks)}
                 for n, (part, title, aliases, blocks) in enumerate(parts)]
    return ("window.publishSearch = " + json.dumps(documents, ensure_ascii=False, separators=(",", ":"))
            + ";\n").encode("utf-8")


def _text(blocks: tuple[m.Block, ...]) -> str:
    """Each paragraph, heading, cell and code block once: notes are their own paragraphs in the walk."""
    texts = [stringify(node.content) if isinstance(node, (m.Para, m.Plain, m.Header)) else node.text
             for node in walk(blocks) if isinstance(node, (m.Para, m.Plain, m.Header, m.CodeBlock))]
    return " ".join(" ".join(texts).split())
