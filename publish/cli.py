"""The ``publish`` command line: the only place that prints and picks exit codes."""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from .backends import BACKENDS, FORMATS, RenderError
from .book import LoadedBook, load_book
from .diagnostics import INPUT_CODES, Severity
from .output import book_name
from .theme import ThemeError, load_theme

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="publish", description="Build reference books from one Markdown file per entry.")
    parser.set_defaults(command=None)
    commands = parser.add_subparsers(dest="command")
    check = commands.add_parser("check", help="read and resolve the book; print diagnostics and missing entries")
    check.add_argument("--json", action="store_true", help="machine-readable records on stdout")
    build = commands.add_parser("build", help="write the book in one or more formats")
    build.add_argument("--out", type=Path, default=Path("build"), help="output folder (default: build)")
    build.add_argument("--format", default="all", help="pdf,epub,docx or all (default: all)")
    build.add_argument("--theme", default="default", help="theme name under themes/ (default: default)")
    for sub, run in ((check, _check), (build, _build)):
        sub.add_argument("--source", type=Path, default=Path("seeds"), help="source folder (default: seeds)")
        sub.add_argument("--strict", action="store_true", help="fail on any warning")
        sub.set_defaults(run=run)
    return parser


def _exit_code(loaded: LoadedBook, strict: bool) -> int:
    if loaded.book is None or any(d.code in INPUT_CODES for d in loaded.diagnostics):
        return EXIT_USAGE
    if any(d.severity is Severity.ERROR or strict for d in loaded.diagnostics):
        return EXIT_FAILED
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    loaded = load_book(args.source)
    if args.json:
        print(json.dumps(_report_json(loaded), ensure_ascii=False, indent=2))
    else:
        _print_diagnostics(loaded)
        _print_report(loaded)
    return _exit_code(loaded, args.strict)


def _build(args: argparse.Namespace) -> int:
    formats = FORMATS if args.format == "all" else tuple(f.strip() for f in args.format.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        print(f"publish: unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)} or all", file=sys.stderr)
        return EXIT_USAGE
    missing = [f for f in formats if f not in BACKENDS]
    if missing:
        print(f"publish: format {', '.join(missing)} is not available yet (no backend); "
              "`publish check` reads and resolves the book", file=sys.stderr)
        return EXIT_USAGE
    loaded = load_book(args.source)
    _print_diagnostics(loaded)
    status = _exit_code(loaded, args.strict)
    if status != EXIT_OK or loaded.book is None:
        print("publish: nothing built: fix the errors above first", file=sys.stderr)
        return status
    try:
        theme = load_theme(args.theme)
    except ThemeError as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for fmt in formats:
        backend = importlib.import_module(BACKENDS[fmt])
        target = args.out / f"{book_name(loaded.book.metadata)}{theme.value('theme', 'file_suffix')}.{fmt}"
        try:
            result = backend.render(loaded.book, theme, target)
        except (RenderError, ThemeError) as exc:
            print(f"publish: {fmt}: {exc}", file=sys.stderr)
            return EXIT_FAILED
        for diagnostic in result.diagnostics:
            print(diagnostic, file=sys.stderr)
        pages = f", {result.pages} pages" if result.pages else ""
        print(f"wrote {result.path} ({result.path.stat().st_size // 1024} KB{pages})")
        if args.strict and result.diagnostics:
            return EXIT_FAILED
    return EXIT_OK


def _print_diagnostics(loaded: LoadedBook) -> None:
    for diagnostic in loaded.diagnostics:
        print(diagnostic, file=sys.stderr)


def _print_report(loaded: LoadedBook) -> None:
    if loaded.missing:
        print(f"Missing entries ({len(loaded.missing)} link targets without an entry, most linked first):")
        for missing in loaded.missing:
            files = sorted({str(p.path) for p in missing.uses})
            print(f"  {missing.target}  ({len(missing.uses)} links from {', '.join(files)})")
    book = loaded.book
    errors = sum(d.severity is Severity.ERROR for d in loaded.diagnostics)
    warnings = len(loaded.diagnostics) - errors
    if book is not None:
        print(f"{len(book.entries)} entries, {len(book.front_matter)} front matter files, "
              f"{book.links} links resolved; {errors} errors, {warnings} warnings")


def _report_json(loaded: LoadedBook) -> dict[str, object]:
    book = loaded.book
    return {
        "entries": [{"id": e.id, "title": e.title_text, "source": str(e.source), "line": e.line}
                    for e in book.entries] if book else [],
        "links_resolved": book.links if book else 0,
        "diagnostics": [d.to_json() for d in loaded.diagnostics],
        "missing_entries": [{"target": mm.target, "count": len(mm.uses),
                             "uses": [{"path": str(p.path), "line": p.line, "col": p.col} for p in mm.uses]}
                            for mm in loaded.missing],
    }
