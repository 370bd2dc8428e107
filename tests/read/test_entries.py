"""Files become entries: entry headings, section levels, separators, front matter."""
from __future__ import annotations

from pathlib import Path

from publish import model as m
from publish.read.config import SourceConfig
from publish.diagnostics import Code, Severity
from publish.read.entries import split_entries
from publish.read.reader import read_markdown


def _split(text: str, config: SourceConfig = SourceConfig()):
    blocks, _ = read_markdown(text, Path("f.md"))
    return split_entries(Path("f.md"), blocks, config, text.count("\n") + 1)


def _levels(entry: m.Entry) -> list[int]:
    return [b.level for b in entry.blocks if isinstance(b, m.Header)]


def test_entry_at_level_three_with_level_four_and_three_sections() -> None:
    entries, _, _ = _split("### Haiku {#Haiku .term}\n\nText\n\n#### Form {.explanation}\n\nx\n\n"
                           "### Beispiel {.explanation}\n\ny\n\n----\n")
    assert [e.id for e in entries] == ["Haiku"]
    assert _levels(entries[0]) == [2, 2]
    assert not any(isinstance(b, m.HorizontalRule) for b in entries[0].blocks)


def test_sections_at_the_entry_level_and_deeper() -> None:
    entries, _, _ = _split("## A {#A .term}\n\n## Teil {.explanation}\n\n### Unterteil\n\nx\n")
    assert _levels(entries[0]) == [2, 3]


def test_two_entries_in_one_file_with_lines() -> None:
    text = "## A {#A .term}\n\neins\n\n----\n\n## B {#B .term}\n\nzwei\n"
    entries, _, diagnostics = _split(text)
    assert [(e.id, e.line, e.end_line) for e in entries] == [("A", 1, 6), ("B", 7, 10)]
    assert entries[0].blocks == (m.Para((m.Str("eins"),)),)
    assert diagnostics == []


def test_without_entry_class_the_first_heading_starts_the_entry() -> None:
    entries, _, _ = _split("# Titel\n\n## Abschnitt\n\nText\n")
    assert [e.title_text for e in entries] == ["Titel"] and _levels(entries[0]) == [2]


def test_aliases_come_from_the_heading_attribute() -> None:
    entries, _, _ = _split('## GPU {#GPU .term aliases="Grafikprozessor, Graphics Processing Unit"}\n')
    assert entries[0].aliases == ("Grafikprozessor", "Graphics Processing Unit")
    assert entries[0].attr.get("aliases") is None


def test_headingless_file_is_an_error_or_front_matter() -> None:
    entries, front, diagnostics = _split("Nur Text.\n")
    assert (entries, front) == ([], []) and diagnostics[0].code is Code.NO_ENTRY_HEADING
    assert diagnostics[0].severity is Severity.ERROR
    entries, front, diagnostics = _split("Nur Text.\n", SourceConfig(headingless="front-matter"))
    assert entries == [] and front[0].blocks == (m.Para((m.Str("Nur Text."),)),) and diagnostics == []


def test_text_before_the_heading_is_kept_with_a_warning() -> None:
    entries, _, diagnostics = _split("Vorspann\n\n## A {#A .term}\n\nText\n")
    assert entries[0].blocks[0] == m.Para((m.Str("Vorspann"),))
    assert [d.code for d in diagnostics] == [Code.NO_ENTRY_HEADING]


def test_seealso_row_of_pipes_becomes_a_list_of_links() -> None:
    entries, _, _ = _split("## A {#A .term}\n\n### Siehe auch {.seealso}\n\n[B](#B) |\n[C D](#C-D) |\n[Index](#Index) |\n")
    header, div = entries[0].blocks
    assert isinstance(header, m.Header) and div.attr.classes == ("seealso",)
    [bullets] = div.blocks
    assert [item[0].content[0].url for item in bullets.items] == ["#B", "#C-D", "#Index"]


def test_seealso_paragraph_with_prose_stays_a_paragraph() -> None:
    entries, _, _ = _split("## A {#A .term}\n\n### Siehe auch {.seealso}\n\nVergleiche [B](#B) und [C](#C).\n")
    assert isinstance(entries[0].blocks[1], m.Para)


def test_opening_bold_italic_line_is_a_tagline() -> None:
    entries, _, _ = _split("## A {#A .term}\n\n***Kurz gesagt***\n\n**A** ist …\n")
    tagline, para = entries[0].blocks
    assert tagline.attr.classes == ("tagline",) and tagline.blocks[0].content[0] == \
        m.Emph((m.Strong((m.Str("Kurz gesagt"),)),))
    assert isinstance(para, m.Para)
