"""Tests for pandoc grid tables in markdown-it-py.

Every expectation below was checked by hand against `pandoc -f markdown -t json`
(pandoc 3.9): alignments, ColWidth values, head/body/foot rows and spans, and
that pandoc reads each cell's text to the same blocks. The tests do not run pandoc.
"""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin

from publish.read.markdown.grid_tables import GridCell, GridTable, grid_table_plugin, parse_grid_table

D, L, R, C = "AlignDefault", "AlignLeft", "AlignRight", "AlignCenter"


def _rows(part: tuple[tuple[GridCell, ...], ...]) -> list[list[tuple[str, int, int]]]:
    return [[(cell.text, cell.row_span, cell.col_span) for cell in row] for row in part]


def _shape(table: GridTable) -> dict[str, object]:
    return {
        "aligns": table.aligns,
        "widths": table.widths,
        "head": _rows(table.head),
        "body": _rows(table.body),
        "foot": _rows(table.foot),
    }


HAIKU = """\
+-----------------------+--------------------------+-------------------------+
| Erste                 |  Zweite                  | Dritte                  |
+:======================+:========================:+========================:+
| Kurze Zeilen\\         | *Der Morgen graut,*\\     | Nebel über Feld\\        |
| leise Verse\\          | *die Tasten klappern*\\   | Kaffee wird kalt\\       |
| ohne Reim             | *leise.*                 | Text wächst             |
+:======================+==========================+========================:+
| „Ein Schlusswort über alle Spalten – mit Gedankenstrich.“ (Fuß)            |
+:==========================================================================:+
"""

SPANS = """\
+-------------+---------------------+
| Ort         | Messwerte           |
|             +------+------+-------+
|             | min  | mit  | max   |
+=============+======+======+=======+
| Nord        | -3   | 4    | 11    |
+-------------+------+------+-------+
| Süd         | 8    | 15           |
+-------------+------+--------------+
"""

CELL_TEXT = """\
+--------------------+-------------+
|                    |  two spaces |
| - erstens          |  both lines |
| - zweitens         |             |
|                    |             |
| Danach **fett**.   |             |
+--------------------+-------------+
|no padding          | *a*\\        |
| here               | b           |
+--------------------+-------------+
"""

TABLES = {
    # Three columns, alignments from the header separator, `\` line breaks, and
    # a last row spanning all columns between `=` lines: pandoc's table foot.
    "haiku": (
        HAIKU,
        {
            "aligns": (L, C, R),
            "widths": (0.3076923076923077, 0.34615384615384615, 0.3333333333333333),
            "head": [[("Erste", 1, 1), (" Zweite", 1, 1), ("Dritte", 1, 1)]],
            "body": [
                [
                    ("Kurze Zeilen\\\nleise Verse\\\nohne Reim", 1, 1),
                    ("*Der Morgen graut,*\\\n*die Tasten klappern*\\\n*leise.*", 1, 1),
                    ("Nebel über Feld\\\nKaffee wird kalt\\\nText wächst", 1, 1),
                ]
            ],
            "foot": [
                [("„Ein Schlusswort über alle Spalten – mit Gedankenstrich.“ (Fuß)", 1, 3)]
            ],
        },
    ),
    "simple": (
        "+-------+--------+\n"
        "| Name  | Wert   |\n"
        "+=======+========+\n"
        "| alpha | 1      |\n"
        "+-------+--------+\n"
        "| beta  | 2      |\n"
        "+-------+--------+\n",
        {
            "aligns": (D, D),
            "widths": (0.1111111111111111, 0.125),
            "head": [[("Name", 1, 1), ("Wert", 1, 1)]],
            "body": [[("alpha", 1, 1), ("1", 1, 1)], [("beta", 1, 1), ("2", 1, 1)]],
            "foot": [],
        },
    ),
    "spans": (
        SPANS,
        {
            "aligns": (D, D, D, D),
            "widths": (
                0.19444444444444445,
                0.09722222222222222,
                0.09722222222222222,
                0.1111111111111111,
            ),
            "head": [
                [("Ort", 2, 1), ("Messwerte", 1, 3)],
                [("min", 1, 1), ("mit", 1, 1), ("max", 1, 1)],
            ],
            "body": [
                [("Nord", 1, 1), ("-3", 1, 1), ("4", 1, 1), ("11", 1, 1)],
                [("Süd", 1, 1), ("8", 1, 1), ("15", 1, 2)],
            ],
            "foot": [],
        },
    ),
    # Without a header separator the top border's colons set the alignments.
    "top_border_aligns": (
        "+:-----+-----:+:----:+------+\n"
        "| l    | r    | c    | d    |\n"
        "+------+------+------+------+\n",
        {
            "aligns": (L, R, C, D),
            "widths": (0.09722222222222222,) * 4,
            "head": [],
            "body": [[("l", 1, 1), ("r", 1, 1), ("c", 1, 1), ("d", 1, 1)]],
            "foot": [],
        },
    ),
    # With one, the header separator's colons win, even where it has none.
    "header_separator_aligns": (
        "+:-----+-----:+\n"
        "| a    | b    |\n"
        "+======+:====:+\n"
        "| c    | d    |\n"
        "+------+------+\n",
        {
            "aligns": (D, C),
            "widths": (0.09722222222222222,) * 2,
            "head": [[("a", 1, 1), ("b", 1, 1)]],
            "body": [[("c", 1, 1), ("d", 1, 1)]],
            "foot": [],
        },
    ),
    # The only `=` line is the head's end, wherever it is.
    "only_bottom_separator_is_all_head": (
        "+-----+-----+\n"
        "| a   | b   |\n"
        "+-----+-----+\n"
        "| c   | d   |\n"
        "+=====+=====+\n",
        {
            "aligns": (D, D),
            "widths": (0.08333333333333333,) * 2,
            "head": [[("a", 1, 1), ("b", 1, 1)], [("c", 1, 1), ("d", 1, 1)]],
            "body": [],
            "foot": [],
        },
    ),
    # A `=` last line opens the foot after the `=` line before it, here the head's.
    "head_then_foot": (
        "+-----+-----+\n"
        "| a   | b   |\n"
        "+=====+=====+\n"
        "| c   | d   |\n"
        "+-----+-----+\n"
        "| e   | f   |\n"
        "+=====+=====+\n",
        {
            "aligns": (D, D),
            "widths": (0.08333333333333333,) * 2,
            "head": [[("a", 1, 1), ("b", 1, 1)]],
            "body": [],
            "foot": [[("c", 1, 1), ("d", 1, 1)], [("e", 1, 1), ("f", 1, 1)]],
        },
    ),
    # A head of one row of empty cells is dropped, not moved to the body.
    "empty_head": (
        "+-----+-----+\n"
        "|     |     |\n"
        "+=====+=====+\n"
        "| a   | b   |\n"
        "+-----+-----+\n",
        {
            "aligns": (D, D),
            "widths": (0.08333333333333333,) * 2,
            "head": [],
            "body": [[("a", 1, 1), ("b", 1, 1)]],
            "foot": [],
        },
    ),
    # 74 columns wide: widths are (c + 1) / (sum(c + 1) + n - 2) = x / 75.
    "wider_than_72": (
        "+------------------------------+--------------------+---------------------+\n"
        "| eins                         | zwei               | drei                |\n"
        "+------------------------------+--------------------+---------------------+\n",
        {
            "aligns": (D, D, D),
            "widths": (0.41333333333333333, 0.28, 0.29333333333333333),
            "head": [],
            "body": [[("eins", 1, 1), ("zwei", 1, 1), ("drei", 1, 1)]],
            "foot": [],
        },
    ),
    # One wide column: 81 / max(81 + 1 - 2, 72), more than 1, as pandoc says.
    "one_wide_column": (
        "+" + "-" * 80 + "+\n|" + " breit".ljust(80) + "|\n+" + "-" * 80 + "+\n",
        {"aligns": (D,), "widths": (1.0125,), "head": [], "body": [[("breit", 1, 1)]], "foot": []},
    ),
    # East Asian wide and full-width characters and emoji take two columns.
    "wide_characters": (
        "+--------+-----+\n"
        "| 日本語 | ja  |\n"
        "+--------+-----+\n"
        "| ｆｕｌ | 😀  |\n"
        "+--------+-----+\n",
        {
            "aligns": (D, D),
            "widths": (0.125, 0.08333333333333333),
            "head": [],
            "body": [[("日本語", 1, 1), ("ja", 1, 1)], [("ｆｕｌ", 1, 1), ("😀", 1, 1)]],
            "foot": [],
        },
    ),
    # Counted as one column each, the wide characters push the `|` off the
    # border's `+`: pandoc finds one cell up to the grid's right edge.
    "wide_characters_misaligned": (
        "+------+-----+\n| 日本語 | ja  |\n+------+-----+\n",
        {
            "aligns": (D,),
            "widths": (0.20833333333333334,),
            "head": [],
            "body": [[("日本語 | ja", 1, 1)]],
            "foot": [],
        },
    ),
    "combining_characters_take_no_column": (
        "+-----+-----+\n| e\u0301e\u0301  | x   |\n+-----+-----+\n",
        {
            "aligns": (D, D),
            "widths": (0.08333333333333333,) * 2,
            "head": [],
            "body": [[("e\u0301e\u0301", 1, 1), ("x", 1, 1)]],
            "foot": [],
        },
    ),
    # Pandoc drops one space of padding, and only when every line has it.
    "cell_text": (
        CELL_TEXT,
        {
            "aligns": (D, D),
            "widths": (0.2916666666666667, 0.19444444444444445),
            "head": [],
            "body": [
                [
                    ("- erstens\n- zweitens\n\nDanach **fett**.", 1, 1),
                    (" two spaces\n both lines", 1, 1),
                ],
                [("no padding\n here", 1, 1), ("*a*\\\nb", 1, 1)],
            ],
            "foot": [],
        },
    ),
    # Tabs are expanded to 4-column stops before the table is traced.
    "tab": (
        "+------+---+\n|\t a | b |\n+------+---+\n",
        {
            "aligns": (D, D),
            "widths": (0.09722222222222222, 0.05555555555555555),
            "head": [],
            "body": [[("   a", 1, 1), ("b", 1, 1)]],
            "foot": [],
        },
    ),
    # The last column needs no right border.
    "ragged_last_column": (
        "+-----+-----+\n| a   | b\n| c   | d\n+-----+-----+\n",
        {
            "aligns": (D, D),
            "widths": (0.08333333333333333,) * 2,
            "head": [],
            "body": [[("a\nc", 1, 1), ("b\nd", 1, 1)]],
            "foot": [],
        },
    ),
    # A cell pandoc cannot trace is lost; here the second one.
    "short_bottom_border": (
        "+-----+-----+\n| a   | b   |\n+-----+---+\n",
        {
            "aligns": (D,),
            "widths": (0.08333333333333333,),
            "head": [],
            "body": [[("a", 1, 1)]],
            "foot": [],
        },
    ),
    # A misplaced `|` and a stray `+` make traced cells overlap: pandoc fills
    # the gap with an empty cell, cuts the second cell to the room left and
    # drops the third.
    "overlapping_cells": (
        "+---+---+---+\n| a | b | c |\n+---+---+---+\n| d x e | f |+\n+---+---+---+\n",
        {
            "aligns": (D, D, D, D),
            "widths": (0.05555555555555555,) * 3 + (0.013888888888888888,),
            "head": [],
            "body": [
                [("a", 1, 1), ("b", 1, 1), ("c", 1, 1), ("", 1, 1)],
                [("d x e", 1, 2), ("e | f |", 1, 2)],
            ],
            "foot": [],
        },
    ),
}


@pytest.mark.parametrize("source, expected", TABLES.values(), ids=TABLES.keys())
def test_parse_grid_table(source: str, expected: dict[str, object]) -> None:
    table = parse_grid_table(source.splitlines())
    assert table is not None
    assert _shape(table) == expected


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param([], id="nothing"),
        pytest.param(["| a | b |", "+---+---+"], id="no-top-border"),
        pytest.param(["+---+---+", "| a | b |", "| c | d |"], id="no-bottom-border"),
        pytest.param(["+---+", "| a |", "  +---+"], id="indented-line"),
        pytest.param(["+---+ x", "| a |", "+---+"], id="text-after-top-border"),
    ],
)
def test_parse_grid_table_rejects(lines: list[str]) -> None:
    assert parse_grid_table(lines) is None


def test_cell_lines_count_from_the_first_table_line() -> None:
    table = parse_grid_table(CELL_TEXT.splitlines())
    assert table is not None
    assert [[cell.line for cell in row] for row in table.body] == [[2, 1], [7, 7]]


def _md() -> MarkdownIt:
    return MarkdownIt("commonmark").use(deflist_plugin).use(grid_table_plugin)


def _grid_tokens(source: str) -> list[tuple[list[int] | None, GridTable]]:
    tokens = _md().parse(source)
    return [(token.map, token.meta["table"]) for token in tokens if token.type == "grid_table"]


TABLE = "+-----+-----+\n| a   | b   |\n+=====+=====+\n| c   | d   |\n+-----+-----+\n"


def _indent(source: str, prefix: str) -> str:
    return "".join(prefix + line + "\n" for line in source.splitlines())


# Where pandoc reads TABLE (or its first lines) as a table, and where not.
PLACES = {
    "top_level": (TABLE, [0, 5]),
    "right_after_heading": ("# Titel\n" + TABLE, [1, 6]),
    "after_blank_line": ("Text\n\n" + TABLE, [2, 7]),
    "in_list_item": ("- item\n\n" + _indent(TABLE, "  "), [2, 7]),
    "at_list_item_start": ("- " + _indent(TABLE, "  ")[2:], [0, 5]),
    "lazy_line_in_list_item": (
        "- item\n\n" + _indent(TABLE, "  ")[:-16] + "+-----+-----+\n",
        [2, 7],
    ),
    "in_block_quote": (_indent(TABLE, "> "), [0, 5]),
    "lazy_line_in_block_quote": ("> +-----+-----+\n| a   | b   |\n> +-----+-----+\n", [0, 3]),
    "in_definition": ("Begriff\n\n:   " + _indent(TABLE, "    ")[4:], [2, 7]),
    # Lines starting with `|` or `+` right below belong to the table, traced or not.
    "takes_following_pipe_lines": (TABLE + "| weg\n\nDanach\n", [0, 6]),
    "needs_blank_line_after_paragraph": ("Text\n" + TABLE, None),
    "one_space_indent_is_a_paragraph": (_indent(TABLE, " "), None),
    "four_spaces_are_code": (_indent(TABLE, "    "), None),
    "list_item_indent_plus_one": ("- item\n\n" + _indent(TABLE, "   "), None),
}


@pytest.mark.parametrize("source, expected_map", PLACES.values(), ids=PLACES.keys())
def test_where_grid_tables_are_read(source: str, expected_map: list[int] | None) -> None:
    found = _grid_tokens(source)
    if expected_map is None:
        assert found == []
        return
    [(token_map, table)] = found
    assert token_map == expected_map
    assert _rows(table.head + table.body)[0] == [("a", 1, 1), ("b", 1, 1)]


def test_token_carries_the_table_with_lines_counted_from_its_first() -> None:
    source = "# Titel\n\n- item\n\n" + _indent(SPANS, "  ")
    [token] = [token for token in _md().parse(source) if token.type == "grid_table"]
    assert (token.nesting, token.block, token.map) == (0, True, [4, 13])
    table = token.meta["table"]
    assert _shape(table) == TABLES["spans"][1]
    assert [[cell.line for cell in row] for row in table.head + table.body] == [
        [1, 1],
        [3, 3, 3],
        [5, 5, 5, 5],
        [7, 7, 7],
    ]


def test_haiku_table_between_paragraphs() -> None:
    [(token_map, table)] = _grid_tokens("Ein Absatz.\n\n" + HAIKU + "\nDanach.\n")
    assert token_map == [2, 11]
    assert _shape(table) == TABLES["haiku"][1]
