"""Pandoc grid tables (with row/column spans, alignments, head and foot) for markdown-it-py."""

from __future__ import annotations

import heapq
import re
import unicodedata
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock

# How pandoc 3 reads a grid table, which this module follows step by step: the
# `gridtables` library (Text.GridTable.Parse / Trace) lays the lines out on a
# grid of display columns and traces each cell from its top-left `+` corner
# (right along its top border, down its right one, then back left and up);
# pandoc's Text.Pandoc.Parsing.GridTable.gridTableWith' then splits the rows
# into head, body and foot and computes the column widths, and pandoc-types'
# table builder lays out each part. Pandoc's quirks are kept on purpose, so
# that a book looks the same whichever tool read it.

_COLUMNS = 72
"""Pandoc's default `--columns`: the text width column widths are relative to."""

_TAB_STOP = 4
"""Pandoc's default `--tab-stop`: it expands tabs before it parses anything."""

_TOP_BORDER = re.compile(r"\+(?::?-+:?\+)+[ \t]*")
_ALIGNS = {
    (False, False): "AlignDefault",
    (True, False): "AlignLeft",
    (False, True): "AlignRight",
    (True, True): "AlignCenter",
}

_Grid = list[list[str | None]]
"""The table lines, one entry per display column: the character there (after
any zero-width characters, which take no column of their own), "" for the
second column of a wide character, None beyond the end of a short line."""

_Box = tuple[int, int, int, int]
"""Grid row and column of a cell's top-left and bottom-right border corners."""

_Scan = tuple[int, int, set[int], set[int]]
"""A traced cell's bottom row and right column, and the row and column
separators seen while tracing it."""


@dataclass(frozen=True, slots=True)
class GridCell:
    """One cell of a grid table, in the row where it starts."""

    text: str
    """The cell's Markdown source: its lines with the cell's left padding (one
    space, which pandoc drops only when every line has it) removed, trailing
    spaces stripped, leading and trailing blank lines removed, joined by "\\n".
    A `\\` at a line end is kept: it is a Markdown hard line break."""
    row_span: int = 1
    col_span: int = 1
    line: int = 0
    """The line of the first line of `text` (for an empty cell, of the line
    below its top border), counted from the table's first line (0), for diagnostics."""


@dataclass(frozen=True, slots=True)
class GridTable:
    """A grid table as pandoc reads it; rows hold only the cells starting in them."""

    aligns: tuple[str, ...]
    """Per column: "AlignLeft", "AlignRight", "AlignCenter" or "AlignDefault"."""
    widths: tuple[float, ...]
    """Per column, the relative width pandoc's JSON reports as ColWidth."""
    head: tuple[tuple[GridCell, ...], ...]
    body: tuple[tuple[GridCell, ...], ...]
    foot: tuple[tuple[GridCell, ...], ...]


def parse_grid_table(lines: list[str]) -> GridTable | None:
    """Parse the lines of one grid table (first line is the top border).

    None if they are not a valid grid table.
    """
    if not lines or not _TOP_BORDER.fullmatch(lines[0]):
        return None
    if not all(line.startswith(("+", "|")) for line in lines[1:]):
        return None
    return _parse([_expand_tabs(line, 0) for line in lines])


def grid_table_plugin(md: MarkdownIt) -> None:
    """Register block rule 'grid_table' (before 'table'/'paragraph').

    It can interrupt nothing: pandoc needs a blank line before a grid table,
    except at a container start. It emits ONE token of type "grid_table"
    (nesting 0, block=True) with token.map = [startLine, endLine] and
    token.meta["table"] = GridTable, and GridCell.line counted from the table's
    first line (token.map[0]), so the token can be moved to other lines.
    """
    md.block.ruler.before("table", "grid_table", _grid_table_rule, {"alt": []})


def _grid_table_rule(
    state: StateBlock, startLine: int, endLine: int, silent: bool
) -> bool:
    column = state.sCount[startLine]
    # Pandoc wants the top border right at the container's content column:
    # one space more makes the lines a paragraph. In a definition (which
    # markdown-it indents by 2) pandoc also takes content at the tab stop.
    in_definition = state.ddIndent == state.blkIndent
    if column != state.blkIndent and not (in_definition and column == state.blkIndent + 2):
        return False
    first = _line_text(state, startLine)
    if not _TOP_BORDER.fullmatch(first):
        return False
    lines = [first]
    next_line = startLine + 1
    while next_line < endLine and _continues_table(state, next_line, column):
        lines.append(_line_text(state, next_line))
        next_line += 1
    table = _parse(lines)
    if table is None:
        return False
    if not silent:
        token = state.push("grid_table", "table", 0)
        token.map = [startLine, next_line]
        token.meta = {"table": table}
        state.line = next_line
    return True


def _continues_table(state: StateBlock, line: int, column: int) -> bool:
    """Whether pandoc reads `line` as one more line of a table at `column`.

    Pandoc takes every following line that starts with `+` or `|`, even ones
    its trace then leaves out. Inside a list item or block quote it also takes
    lazy continuation lines, which have no indentation at all.
    """
    if not state.src.startswith(("+", "|"), state.bMarks[line] + state.tShift[line]):
        return False
    indent = state.sCount[line]
    return indent == column or (indent < state.blkIndent and state.tShift[line] == 0)


def _line_text(state: StateBlock, line: int) -> str:
    """The line from its first non-space character, tabs expanded as pandoc does."""
    start = state.bMarks[line] + state.tShift[line]
    column = state.bsCount[line] + max(state.sCount[line], 0)
    return _expand_tabs(state.src[start : state.eMarks[line]], column)


def _expand_tabs(text: str, column: int) -> str:
    """Expand tabs in `text`, which starts at `column` of its source line."""
    return (" " * column + text).expandtabs(_TAB_STOP)[column:]


def _parse(lines: list[str]) -> GridTable | None:
    """Trace the tab-free table `lines`; cells' lines count from its first line."""
    grid = _char_grid([_strip_end(line) for line in lines])
    top_aligns = _border_aligns(grid[0], "-")
    parts = [
        (row, aligns)
        for row, line in enumerate(grid)
        if (aligns := _border_aligns(line, "=")) is not None
    ]
    # The alignment colons and `=` of these lines would stop the trace.
    for row in (0, *(row for row, _ in parts)):
        grid[row] = ["-" if char in ("=", ":") else char for char in grid[row]]
    boxes, row_seps, col_seps = _trace(grid)
    if not boxes:
        return None
    row_at = {sep: index for index, sep in enumerate(sorted(row_seps))}
    col_at = {sep: index for index, sep in enumerate(sorted(col_seps))}
    rows = _rows(grid, boxes, row_at, col_at)
    row_lines = [sep + 1 for sep in list(row_at)[:-1]]
    n_cols = len(col_at) - 1
    aligns = parts[0][1] if parts else top_aligns or []
    head_end = row_at.get(parts[0][0], 0) if parts else 0
    foot_start = len(rows)
    # Only a part separator that is the table's last line opens a foot: the
    # rows below the part separator before it.
    if len(parts) > 1 and parts[-1][0] == max(row_seps) and parts[-2][0] in row_at:
        foot_start = row_at[parts[-2][0]]
    # Pandoc's Markdown reader drops a head that is one row of empty cells.
    head_start = int(head_end == 1 and all(_is_blank(cell) for cell in rows[0]))
    return GridTable(
        aligns=tuple((aligns + ["AlignDefault"] * n_cols)[:n_cols]),
        widths=_widths([right - left - 1 for left, right in pairwise(col_at)]),
        head=_section(rows[head_start:head_end], row_lines[head_start:head_end], n_cols),
        body=_section(rows[head_end:foot_start], row_lines[head_end:foot_start], n_cols),
        foot=_section(rows[foot_start:], row_lines[foot_start:], n_cols),
    )


def _widths(columns: list[int]) -> tuple[float, ...]:
    """Relative column widths from the columns' inner widths in display columns.

    Pandoc's formula (fractionalColumnWidths): each column counts one border
    character more, w_i = c_i + 1, and every w_i is divided by
    max(sum(w) + n - 2, 72) for n columns and the default 72 text columns. So
    tables narrower than the text keep their proportion of 72 columns, wider
    ones sum to a little less than 1 - or, with one column, more than 1,
    which pandoc reports unchanged.
    """
    widths = [width + 1 for width in columns]
    norm = max(sum(widths) + len(widths) - 2, _COLUMNS)
    return tuple(width / norm for width in widths)


def _is_blank(cell: GridCell) -> bool:
    """Whether the cell is what pandoc's builder calls an empty cell."""
    return not cell.text and cell.row_span == 1 and cell.col_span == 1


def _strip_end(text: str) -> str:
    """`text` without trailing white space, as Haskell's `isSpace` defines it."""
    end = len(text)
    while end and (
        text[end - 1] in " \t\n\v\f\r" or unicodedata.category(text[end - 1]) == "Zs"
    ):
        end -= 1
    return text[:end]


def _char_width(char: str) -> int:
    """Display columns of `char`, as pandoc's doclayout counts them."""
    code = ord(char)
    # doclayout looks widths up in a table of ranges from a newer Unicode than
    # Python's, so a code point unassigned here gets the width of the nearest
    # assigned one below it (which also covers most characters added since).
    # Planes 4 to 13 are empty and so continue plane 3's wide ideographs; the
    # shortcut saves walking down hundreds of thousands of code points.
    if 0x40000 <= code < 0xE0000:
        return 2
    while code and unicodedata.category(chr(code)) == "Cn":
        code -= 1
    if unicodedata.category(chr(code)) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2 if unicodedata.east_asian_width(chr(code)) in ("W", "F") else 1


def _char_grid(lines: list[str]) -> _Grid:
    grid = [_grid_line(line) for line in lines]
    width = max(map(len, grid))
    return [line + [None] * (width - len(line)) for line in grid]


def _grid_line(line: str) -> list[str | None]:
    columns: list[str | None] = []
    zero_width = ""
    for char in line:
        width = _char_width(char)
        if width == 0:
            # Like gridtables, zero-width characters go with the next character.
            zero_width += char
            continue
        columns.append(zero_width + char)
        zero_width = ""
        if width == 2:
            columns.append("")
    if zero_width:
        columns.append(zero_width)
    return columns


def _border_aligns(line: list[str | None], dash: str) -> list[str] | None:
    """The alignments of the segments of a border line drawn with `dash`, or None.

    As in gridtables, the character after each `+` only matters as a `:`, and
    a line may stop one column short of the grid's right edge.
    """
    if line[0] != "+":
        return None
    aligns = []
    start = 1
    while start < len(line) - 1:
        end = start + 1
        while end < len(line) and line[end] == dash:
            end += 1
        # Running off the grid makes pandoc abort ("Error in array index");
        # here the line is just no border.
        right = end + 1 < len(line) and line[end] == ":" and line[end + 1] == "+"
        if right:
            end += 1
        elif end == len(line) or line[end] != "+":
            return None
        aligns.append(_ALIGNS[line[start] == ":", right])
        start = end + 1
    return aligns


def _trace(grid: _Grid) -> tuple[list[_Box], set[int], set[int]]:
    """Trace every cell from the corners found so far, top to bottom, left to right."""
    boxes: list[_Box] = []
    row_seps, col_seps = {0}, {0}
    corners = [(0, 0)]
    queued = {(0, 0)}
    while corners:
        top, left = heapq.heappop(corners)
        scan = _scan_right(grid, top, left)
        if scan is None:
            continue
        bottom, right, rows, cols = scan
        boxes.append((top, left, bottom, right))
        row_seps |= rows
        col_seps |= cols
        for corner in ((top, right), (bottom, left)):
            if corner not in queued:
                queued.add(corner)
                heapq.heappush(corners, corner)
    return boxes, row_seps, col_seps


def _scan_right(grid: _Grid, top: int, left: int) -> _Scan | None:
    line = grid[top]
    col_seps: set[int] = set()
    right = left + 1
    while right < len(line) and line[right] in ("-", "+"):
        if line[right] == "+":
            col_seps.add(right)
            scan = _scan_down(grid, top, left, right)
            if scan is not None:
                bottom, _, row_seps, more_col_seps = scan
                return bottom, right, row_seps, col_seps | more_col_seps
            if right + 1 < len(line) and line[right + 1] is None:
                # The top border ends here although longer lines follow.
                return _last_cell_in_row(grid, top, left)
        right += 1
    return None


def _scan_down(grid: _Grid, top: int, left: int, right: int) -> _Scan | None:
    row_seps: set[int] = set()
    for bottom in range(top + 1, len(grid)):
        char = grid[bottom][right]
        if char == "+":
            row_seps.add(bottom)
            scan = _scan_left(grid, top, left, bottom, right)
            if scan is not None:
                return bottom, right, row_seps | scan[0], scan[1]
        elif char != "|" and right != len(grid[0]) - 1:
            # Only the grid's last column may do without a right border.
            return None
    return None


def _scan_left(
    grid: _Grid, top: int, left: int, bottom: int, right: int
) -> tuple[set[int], set[int]] | None:
    line = grid[bottom]
    if line[left] != "+" or any(char not in ("-", "+") for char in line[left + 1 : right]):
        return None
    if any(grid[row][left] not in ("|", "+") for row in range(top + 1, bottom)):
        return None
    return (
        {row for row in range(top + 1, bottom) if grid[row][left] == "+"},
        {col for col in range(left + 1, right) if line[col] == "+"},
    )


def _last_cell_in_row(grid: _Grid, top: int, left: int) -> _Scan | None:
    """A cell reaching the grid's right edge, closed by the first full border below."""
    right = len(grid[0]) - 1
    for bottom in range(top + 1, len(grid)):
        line = grid[bottom]
        if line[left] == "+" and all(char in ("-", "+", None) for char in line[left + 1 :]):
            return bottom, right, {bottom}, {right}
    return None


def _rows(
    grid: _Grid,
    boxes: list[_Box],
    row_at: dict[int, int],
    col_at: dict[int, int],
) -> list[list[GridCell]]:
    """The table's rows, each with the cells that start in it.

    `row_at` and `col_at` number the row and column separators, in order.

    Like gridtables, a later cell overwrites what an earlier one spans, and a
    position no cell covers becomes an empty cell.
    """
    placed: dict[tuple[int, int], GridCell | None] = {}
    for top, left, bottom, right in boxes:
        row, col = row_at[top], col_at[left]
        row_span, col_span = row_at[bottom] - row, col_at[right] - col
        for spanned_row in range(row, row + row_span):
            for spanned_col in range(col, col + col_span):
                placed[spanned_row, spanned_col] = None
        text, offset = _cell_text(grid, top, left, bottom, right)
        placed[row, col] = GridCell(text, row_span, col_span, offset)
    rows = []
    for row, sep in enumerate(list(row_at)[:-1]):
        cells = []
        for col in range(len(col_at) - 1):
            if (row, col) not in placed:
                cells.append(GridCell("", line=sep + 1))
            elif (cell := placed[row, col]) is not None:
                cells.append(cell)
        rows.append(cells)
    return rows


def _section(
    rows: list[list[GridCell]], lines: list[int], width: int
) -> tuple[tuple[GridCell, ...], ...]:
    """The rows of a table section laid out as pandoc's table builder lays them.

    pandoc-types' `table` normalises every section (clipRows, placeRowSection):
    row spans end with the section, and each row's cells go, in order, to the
    next free positions, a cell's column span cut where it would overlap;
    cells that find no room are dropped, and empty cells fill what is left.
    Only tables whose traced cells overlap are changed by this.
    """
    placed_rows = []
    hang = [1] * width
    for index, (cells, line) in enumerate(zip(rows, lines)):
        pending = iter(cells)
        placed: list[GridCell] = []
        next_hang: list[int] = []
        col = 0
        while col < width:
            if hang[col] > 1:
                next_hang.append(hang[col] - 1)
                col += 1
                continue
            cell = next(pending, None) or GridCell("", line=line)
            free = 1
            while free < cell.col_span and col + free < width and hang[col + free] == 1:
                free += 1
            row_span = min(cell.row_span, len(rows) - index)
            placed.append(replace(cell, row_span=row_span, col_span=free))
            next_hang += [row_span] * free
            col += free
        placed_rows.append(tuple(placed))
        hang = next_hang
    return tuple(placed_rows)


def _cell_text(grid: _Grid, top: int, left: int, bottom: int, right: int) -> tuple[str, int]:
    """The cell's Markdown text and the grid row its first line comes from."""
    lines = [
        _strip_end("".join(char or "" for char in grid[row][left + 1 : right]))
        for row in range(top + 1, bottom)
    ]
    if all(line.startswith(" ") or not line for line in lines):
        lines = [line[1:] for line in lines]
    filled = [index for index, line in enumerate(lines) if line]
    if not filled:
        return "", top + 1
    return "\n".join(lines[filled[0] : filled[-1] + 1]), top + 1 + filled[0]
