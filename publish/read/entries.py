"""Split read sources into front matter and normalised entries."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .. import model as m
from .config import SourceConfig
from ..diagnostics import Code, Diagnostic, error, warning
from ..tree import stringify, transform

ENTRY_LEVEL = 1
"""Every entry heading is level 1 in the model; its sections start at level 2."""
_SEPARATORS = frozenset("|,;·•")


def split_entries(path: Path, blocks: tuple[m.Block, ...], config: SourceConfig, line_count: int
                  ) -> tuple[list[m.Entry], list[m.FrontMatter], list[Diagnostic]]:
    """Cut one entry file into entries at its entry headings."""
    starts = [i for i, b in enumerate(blocks)
              if isinstance(b, m.Header) and config.entry_class in b.attr.classes]
    if not starts:
        starts = [i for i, b in enumerate(blocks) if isinstance(b, m.Header)][:1]
    if not starts:
        return _headingless(path, blocks, config)
    diagnostics: list[Diagnostic] = []
    leading = _strip_rules(blocks[: starts[0]])
    if leading:
        diagnostics.append(warning(Code.NO_ENTRY_HEADING, path, 1, 1,
                                   "text before the first entry heading; it is kept at the start of that entry"))
    entries = []
    bounds = starts + [len(blocks)]
    for n, (start, end) in enumerate(zip(bounds, bounds[1:])):
        heading = blocks[start]
        assert isinstance(heading, m.Header)
        body = _strip_rules(blocks[start + 1: end])
        if n == 0:
            body = leading + body
        next_line = _first_line(blocks[end:]) if end < len(blocks) else None
        if not stringify(heading.content).strip():
            # Every format names an entry by its title (contents, running heads, the index).
            name = heading.attr.id or path.stem
            line = heading.pos.line if heading.pos else 1
            diagnostics.append(warning(Code.EMPTY_TITLE, path, line, 1,
                                       f"entry heading without a title; it is called {name!r}"))
            heading = replace(heading, content=(m.Str(name),))
        entries.append(_entry(path, heading, body, (next_line - 1) if next_line else line_count))
    return entries, [], diagnostics


def front_matter(path: Path, blocks: tuple[m.Block, ...]) -> m.FrontMatter:
    return m.FrontMatter(path.stem, path, _strip_rules(blocks))


def _entry(path: Path, heading: m.Header, body: tuple[m.Block, ...], end_line: int) -> m.Entry:
    aliases = tuple(a.strip() for a in (heading.attr.get("aliases") or "").split(",") if a.strip())
    kv = tuple((k, v) for k, v in heading.attr.kv if k != "aliases")
    attr = m.Attr(heading.attr.id, heading.attr.classes, kv)
    section_level: list[int] = []

    def renumber(node: object) -> object:
        # A heading no deeper than the current section starts a new section (level 2),
        # whatever its level in the file; a deeper one nests below it.
        if not isinstance(node, m.Header):
            return node
        if not section_level or node.level <= section_level[0]:
            section_level[:] = [node.level]
        level = ENTRY_LEVEL + 1 + node.level - section_level[0]
        return m.Header(min(6, level), node.attr, node.content, node.pos)

    line = heading.pos.line if heading.pos else 1
    body = _mark_tagline(_seealso_lists(transform(body, renumber)))
    return m.Entry(id=heading.attr.id, title=heading.content, title_text=stringify(heading.content).strip(),
                   attr=attr, aliases=aliases, blocks=body, source=path,
                   line=line, end_line=end_line)


def _seealso_lists(blocks: tuple[m.Block, ...]) -> tuple[m.Block, ...]:
    """A see-also section's row of links separated by ``|`` becomes a list of cross-references."""
    out: list[m.Block] = []
    in_seealso = False
    for block in blocks:
        if isinstance(block, m.Header):
            in_seealso = m.SEEALSO_CLASS in block.attr.classes
        links = _cross_references(block.content) if in_seealso and isinstance(block, (m.Para, m.Plain)) else None
        if links:
            block = m.Div(m.Attr("", (m.SEEALSO_CLASS,)), (m.BulletList(tuple((m.Plain((link,)),) for link in links)),))
        out.append(block)
    return tuple(out)


def _cross_references(inlines: tuple[m.Inline, ...]) -> tuple[m.Link, ...] | None:
    """The links of a paragraph that holds nothing but links and separators, else None."""
    links = []
    for node in inlines:
        if isinstance(node, m.Link):
            links.append(node)
        elif isinstance(node, m.Str) and set(node.text) <= _SEPARATORS | {" ", "\u00a0"}:
            continue
        elif not isinstance(node, (m.SoftBreak, m.LineBreak)):
            return None
    return tuple(links) or None


def _mark_tagline(blocks: tuple[m.Block, ...]) -> tuple[m.Block, ...]:
    """An entry that opens with a paragraph set entirely in bold italic has a tagline."""
    first = blocks[0] if blocks else None
    if isinstance(first, m.Para) and len(first.content) == 1 and _bold_italic(first.content[0]):
        return (m.Div(m.Attr("", (m.TAGLINE_CLASS,)), (first,)),) + blocks[1:]
    return blocks


def _bold_italic(node: m.Inline) -> bool:
    pairs = ((m.Emph, m.Strong), (m.Strong, m.Emph))
    return any(isinstance(node, outer) and len(node.content) == 1 and isinstance(node.content[0], inner)
               for outer, inner in pairs)


def _headingless(path: Path, blocks: tuple[m.Block, ...], config: SourceConfig
                 ) -> tuple[list[m.Entry], list[m.FrontMatter], list[Diagnostic]]:
    if config.headingless == "front-matter":
        return [], [front_matter(path, blocks)], []
    return [], [], [error(Code.NO_ENTRY_HEADING, path, 1, 1,
                          "file has no heading, so no entry; give it one or list it as front matter in book.toml")]


def _strip_rules(blocks: tuple[m.Block, ...]) -> tuple[m.Block, ...]:
    """Drop the ``----`` separators around entries; a rule inside an entry stays."""
    start, end = 0, len(blocks)
    while start < end and isinstance(blocks[start], m.HorizontalRule):
        start += 1
    while end > start and isinstance(blocks[end - 1], m.HorizontalRule):
        end -= 1
    return blocks[start:end]


def _first_line(blocks: tuple[m.Block, ...]) -> int | None:
    return next((b.pos.line for b in blocks if isinstance(b, m.Header) and b.pos), None)
