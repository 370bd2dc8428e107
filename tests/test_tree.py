"""Plain text of model nodes, walking in document order, rebuilding trees, the book's set text."""
from __future__ import annotations

from pathlib import Path

from publish import model as m
from publish.tree import stringify, transform, typeset_strings, walk


def _entry(title: str, blocks: tuple[m.Block, ...], aliases: tuple[str, ...] = (),
           title_inlines: tuple[m.Inline, ...] | None = None) -> m.Entry:
    return m.Entry(id=title, title=title_inlines or (m.Str(title),), title_text=title, attr=m.NO_ATTR,
                   aliases=aliases, blocks=blocks, source=Path(f"{title}.md"), line=1, end_line=2)


# --- stringify -----------------------------------------------------------------------


def test_stringify_breaks_become_single_spaces() -> None:
    inlines = (m.Str("eins"), m.SoftBreak(), m.Str("zwei"), m.LineBreak(), m.Str("drei"))
    assert stringify(inlines) == "eins zwei drei"


def test_stringify_leaves_notes_out_entirely() -> None:
    note = m.Note((m.Para((m.Str("Fußnotentext"),)),))
    assert stringify((m.Str("Wort"), note, m.Str(" weiter"))) == "Wort weiter"


def test_stringify_gives_math_as_its_tex_source() -> None:
    inlines = (m.Str("gilt "), m.Math(False, r"E = mc^2"), m.Str(" und "), m.Math(True, r"\frac{a}{b}"))
    assert stringify(inlines) == r"gilt E = mc^2 und \frac{a}{b}"


def test_stringify_descends_into_formatting_links_spans_and_image_alt() -> None:
    inlines = (
        m.Emph((m.Str("kursiv"),)), m.Str(" "),
        m.Strong((m.Emph((m.Str("fett"),)),)), m.Str(" "),
        m.Link(m.NO_ATTR, (m.Str("Verweis"),), "#GPU"), m.Str(" "),
        m.Span(m.Attr(classes=("index",)), (m.Code(m.NO_ATTR, "x = 1"),)), m.Str(" "),
        m.Image(m.NO_ATTR, (m.Str("Alternativtext"),), "bild.png"),
    )
    # The link's url and the image's src are not text a reader sees.
    assert stringify(inlines) == "kursiv fett Verweis x = 1 Alternativtext"


def test_stringify_drops_raw_inline_markup() -> None:
    # RawInline has no content field: its markup is not text a reader sees as such.
    assert stringify((m.Str("a"), m.RawInline("html", "<b>"), m.Str("b"))) == "ab"


# --- walk ----------------------------------------------------------------------------


def test_walk_is_depth_first_in_document_order() -> None:
    s1, s2, s3, s4, s5 = (m.Str(t) for t in ("1", "2", "3", "4", "5"))
    emph = m.Emph((s2,))
    para = m.Para((s1, emph, s3))
    item_a = m.Plain((s4,))
    item_b = m.Plain((s5,))
    lst = m.BulletList(((item_a,), (item_b,)))
    quote = m.BlockQuote((para, lst))
    order = list(walk(quote))
    # Compare by identity: equal-looking nodes must not be confused.
    assert [id(n) for n in order] == [id(n) for n in (quote, para, s1, emph, s2, s3, lst, item_a, s4, item_b, s5)]


def test_walk_over_a_tuple_yields_its_nodes_not_the_tuple() -> None:
    a, b = m.Str("a"), m.Str("b")
    assert list(walk((m.Para((a,)), (b,)))) == [m.Para((a,)), a, b]


def test_walk_reaches_table_cells_captions_notes_and_definitions() -> None:
    def cell(text: str) -> m.Cell:
        return m.Cell((m.Plain((m.Str(text),)),))

    table = m.Table(m.NO_ATTR, (m.Plain((m.Str("caption"),)),), (m.ColSpec("AlignDefault"),),
                    head=(m.Row((cell("head"),)),), bodies=((m.Row((cell("body"),)),),),
                    foot=(m.Row((cell("foot"),)),))
    note = m.Para((m.Str("text"), m.Note((m.Para((m.Str("note"),)),))))
    deflist = m.DefinitionList((((m.Str("term"),), ((m.Plain((m.Str("definition"),)),),)),))
    texts = [n.text for n in walk((table, note, deflist)) if isinstance(n, m.Str)]
    assert texts == ["caption", "head", "body", "foot", "text", "note", "term", "definition"]


# --- transform -----------------------------------------------------------------------


def test_transform_rebuilds_bottom_up() -> None:
    seen: list[object] = []

    def upper(node: object) -> object:
        seen.append(node)
        return m.Str(node.text.upper()) if isinstance(node, m.Str) else node

    tree = m.Para((m.Emph((m.Str("a"),)), m.Str("b")))
    result = transform(tree, upper)
    assert result == m.Para((m.Emph((m.Str("A"),)), m.Str("B")))
    # Children before parents, and a parent sees its children already replaced.
    assert seen == [m.Str("a"), m.Emph((m.Str("A"),)), m.Str("b"), m.Para((m.Emph((m.Str("A"),)), m.Str("B")))]


def test_transform_reuses_unchanged_nodes_by_identity() -> None:
    untouched = m.Para((m.Emph((m.Str("bleibt"),)),))
    changed_leaf = m.Str("alt")
    sibling = m.Str("daneben")
    changed_para = m.Para((changed_leaf, sibling))
    blocks = (untouched, changed_para)

    result = transform(blocks, lambda n: m.Str("neu") if n is changed_leaf else n)

    assert result == (untouched, m.Para((m.Str("neu"), sibling)))
    assert result[0] is untouched
    assert result[0].content[0] is untouched.content[0]
    assert result[1] is not changed_para
    assert result[1].content[1] is sibling


def test_transform_with_identity_function_returns_the_same_tree() -> None:
    blocks = (m.Para((m.Str("a"), m.Emph((m.Str("b"),)))), m.BulletList(((m.Plain((m.Str("c"),)),),)))
    assert transform(blocks, lambda n: n) is blocks


def test_transform_keeps_fields_that_are_not_children() -> None:
    header = m.Header(2, m.Attr("id", ("c",), (("k", "v"),)), (m.Str("x"),))
    result = transform(header, lambda n: m.Str("y") if isinstance(n, m.Str) else n)
    assert result == m.Header(2, m.Attr("id", ("c",), (("k", "v"),)), (m.Str("y"),))


# --- typeset_strings -----------------------------------------------------------------


def test_typeset_strings_hold_metadata_titles_text_code_and_aliases() -> None:
    entry = _entry("Titel", (
        m.Para((m.Str("Körper"), m.Code(m.NO_ATTR, "inline()"), m.Math(False, r"\alpha"),
                m.Link(m.NO_ATTR, (m.Str("Verweis"),), "#Ziel"))),
        m.CodeBlock(m.NO_ATTR, "block = 1"),
    ), aliases=("Alias Eins", "Alias Zwei"), title_inlines=(m.Emph((m.Str("Titel"),)),))
    front = m.FrontMatter("lizenz", Path("000.md"), (m.Para((m.Str("Vorwort"),)),))
    metadata = m.Metadata(title="Buchtitel", subtitle="Untertitel", authors=("Ada", "Bob"),
                          date="2024", rights="CC BY")
    book = m.Book(metadata, (front,), (entry,), (), ())

    text = "".join(typeset_strings(book))

    # Order as documented: metadata, then each entry (title, body, aliases), then front matter.
    assert text == ("Buchtitel" "Untertitel" "2024" "CC BY" "Ada" "Bob"
                    "Titel" "Körper" "inline()" "Verweis" "block = 1" "Alias Eins" "Alias Zwei"
                    "Vorwort")


def test_typeset_strings_leave_math_and_urls_out() -> None:
    entry = _entry("T", (m.Para((m.Math(True, r"\sum_i x_i"), m.Link(m.NO_ATTR, (), "https://example.org/ẞ"))),))
    book = m.Book(m.Metadata(title=""), (), (entry,), (), ())
    assert "".join(typeset_strings(book)) == "T"
