"""The website's search: what every page holds as plain text, shipped as a script the browser indexes."""
from __future__ import annotations

import json
from collections.abc import Mapping

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
    """``window.publishSearch``: one document per entry and front-matter page, numbered in book order:
    its page, title, aliases and text (notes and formulas' TeX included, markup left out)."""
    documents = [{"url": pages[e.id], "title": e.title_text, "aliases": " ".join(e.aliases), "text": _text(e.blocks)}
                 for e in book.entries]
    documents += [{"url": pages[f.id], "title": front_titles[f.id], "aliases": "", "text": _text(f.blocks)}
                  for f in book.front_matter]
    for n, document in enumerate(documents):
        document["id"] = n
    return ("window.publishSearch = " + json.dumps(documents, ensure_ascii=False, separators=(",", ":"))
            + ";\n").encode("utf-8")


def _text(blocks: tuple[m.Block, ...]) -> str:
    """Each paragraph, heading, cell and code block once: notes are their own paragraphs in the walk."""
    texts = [stringify(node.content) if isinstance(node, (m.Para, m.Plain, m.Header)) else node.text
             for node in walk(blocks) if isinstance(node, (m.Para, m.Plain, m.Header, m.CodeBlock))]
    return " ".join(" ".join(texts).split())
