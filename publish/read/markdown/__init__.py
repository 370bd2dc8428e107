"""The markdown-it-py parser configured to read Pandoc's Markdown."""
from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

from ...theme.languages import language_of
from .depth_limit import depth_limit_plugin
from .fenced_divs import fenced_div_plugin
from .grid_tables import grid_table_plugin
from .header_attrs import header_attrs_plugin
from .pandoc_blocks import pandoc_blocks_plugin
from .smart_punctuation import smart_punctuation_plugin



@lru_cache(maxsize=8)
def make_parser(language: str = "de-DE") -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "quotes": language_of(language).quotes})
    # Keep URLs as written, like pandoc (markdown-it would percent-encode #Künstliche-Intelligenz),
    # and read every link and image as one, like pandoc: markdown-it would leave javascript:, data:
    # and the like as literal text without a word. The resolver lets through only #ids, web and
    # mail addresses and files of the book, and tells the author of every other target.
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.enable(["table", "strikethrough", "smartquotes"])
    md.use(pandoc_blocks_plugin)
    md.use(header_attrs_plugin)
    md.use(fenced_div_plugin)
    md.use(grid_table_plugin)
    md.use(footnote_plugin)
    md.use(deflist_plugin)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.use(sub_plugin)
    md.use(superscript_plugin)
    md.use(attrs_plugin, spans=True)
    md.use(smart_punctuation_plugin)
    md.use(depth_limit_plugin)
    return md
