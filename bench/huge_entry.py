"""Write a book of one huge entry whose every line carries inline markup (issue 11, case 16).

Usage: huge_entry.py MEGABYTES OUT_DIR

Each paragraph has a numbered marker (``P000123``), a link to the entry and one to the web,
inline math, emphasis, strong emphasis, code and a footnote; every 50th paragraph is a section
heading, a list or a table. Output is deterministic: same arguments, same bytes.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

_WORDS = ("Modell", "Daten", "Gewicht", "Schicht", "Training", "Vektor", "Merkmal", "Verlust",
          "Gradient", "Netz", "Token", "Kontext", "Abfrage", "Speicher", "Ausgabe", "Regel")


def paragraphs(size: int) -> Iterator[str]:
    """Blocks of Markdown until about ``size`` bytes are written."""
    written = n = 0
    while written < size:
        w = [_WORDS[(n * 7 + k) % len(_WORDS)] for k in range(6)]
        if n % 50 == 49:
            block = f"## Abschnitt {n} {{#abschnitt-{n}}}\n\n- {w[0]} *{w[1]}*\n- {w[2]} $x_{{{n}}}$\n"
        elif n % 50 == 25:
            block = f"| {w[0]} | {w[1]} |\n|---|---|\n| P{n:06d} | $a^{n % 9}$ |\n"
        else:
            block = (f"P{n:06d} Ein *{w[0]}* mit **{w[1]}** und [{w[2]}](#Huge) sowie "
                     f"[{w[3]}](https://example.org/{n}) hat $x_{{{n % 97}}} + y^2$ und `{w[4]}`"
                     f"[^n{n}] --- \"{w[5]}\".\n\n[^n{n}]: Fußnote {n} zu *{w[0]}*.\n")
        yield block + "\n"
        written += len(block.encode()) + 1
        n += 1


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    size, out = int(float(argv[1]) * 1_000_000), Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    (out / "000-title.txt").write_text("% Großer Eintrag\n% Bench\n", encoding="utf-8")
    with (out / "Huge.md").open("w", encoding="utf-8") as f:
        f.write("## Huge {#Huge .chapter}\n\n")
        f.writelines(paragraphs(size))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
