"""The ``publish`` command line: the only place that prints and picks exit codes."""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from typing import TYPE_CHECKING

from .render import FORMATS, RenderError, RenderResult
from .build import output_fingerprint, remember_output, render_format, target_path, up_to_date
from .cache import CACHE_DIR, Cache
from .diagnostics import INPUT_CODES, Severity
from .progress import Progress, make_progress
from .theme.theme import Theme, ThemeError, load_theme

if TYPE_CHECKING:
    from .read.book import LoadedBook

# The reader (markdown-it and its plugins) is imported only when a book is read, so that a
# build whose outputs are current answers "up to date" without paying for it.

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    logging.basicConfig(level=logging.INFO if getattr(args, "verbose", False) else logging.ERROR,
                        format="%(levelname)s %(name)s: %(message)s")
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
    release = commands.add_parser("release", help="strict build of every format and the print PDF, "
                                                  "named by version, with SHA256SUMS and report.json")
    release.add_argument("--out", type=Path, default=Path("build/release"), help="default: build/release")
    release.add_argument("--version", default="", help="e.g. 1.2.0 or v1.2.0; default: the book's version")
    for sub, run in ((check, _check), (build, _build), (release, _release)):
        sub.add_argument("--source", type=Path, default=Path("seeds"), help="source folder (default: seeds)")
        sub.set_defaults(run=run)
    for sub in (check, build):
        sub.add_argument("--strict", action="store_true", help="fail on any warning")
    for sub in (build, release):
        loudness = sub.add_mutually_exclusive_group()
        loudness.add_argument("--quiet", action="store_true", help="print only problems")
        loudness.add_argument("--verbose", action="store_true", help="also print what the libraries log")
    return parser


def _exit_code(loaded: LoadedBook, strict: bool) -> int:
    if loaded.book is None or any(d.code in INPUT_CODES for d in loaded.diagnostics):
        return EXIT_USAGE
    if any(d.severity is Severity.ERROR or strict for d in loaded.diagnostics):
        return EXIT_FAILED
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from .read.book import load_book

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
    try:
        theme = load_theme(args.theme)
    except ThemeError as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return EXIT_USAGE
    cache = Cache(args.out / CACHE_DIR)
    keys = {fmt: output_fingerprint(fmt, theme, args.source) for fmt in formats} if args.source.is_dir() else {}
    # A strict build re-checks the book even when its outputs are current.
    current = {} if args.strict else {fmt: path for fmt, key in keys.items()
                                      if (path := up_to_date(cache, fmt, theme, key))}
    if len(current) == len(formats):
        if not args.quiet:
            print("\n".join(f"up to date: {path}" for path in current.values()))
        return EXIT_OK
    return _with_progress(args.quiet, lambda progress: _render(args, theme, formats, cache, keys, current, progress))


def _render(args: argparse.Namespace, theme: Theme, formats: tuple[str, ...], cache: Cache,
            keys: dict[str, str], current: dict[str, Path], progress: Progress) -> int:
    from .read.book import load_book

    started = time.perf_counter()
    loaded = load_book(args.source, progress, cache)
    _print_diagnostics(loaded)
    status = _exit_code(loaded, args.strict)
    if status != EXIT_OK or loaded.book is None:
        print("publish: nothing built: fix the errors above first", file=sys.stderr)
        return status
    results: list[RenderResult] = []
    for fmt in (f for f in formats if f not in current):
        result = render_format(loaded.book, theme, fmt, target_path(args.out, loaded.book, theme, fmt), progress)
        remember_output(cache, fmt, theme, keys[fmt], result.path)
        results.append(result)
        for diagnostic in result.diagnostics:
            print(diagnostic, file=sys.stderr)
        if args.strict and result.diagnostics:
            return EXIT_FAILED
    if not args.quiet:
        _print_summary(results, loaded, progress, time.perf_counter() - started)
    return EXIT_OK


def _release(args: argparse.Namespace) -> int:
    return _with_progress(args.quiet, lambda progress: _write_release(args, progress))


def _write_release(args: argparse.Namespace, progress: Progress) -> int:
    from .read.book import load_book
    from .release import build_release, release_version

    loaded = load_book(args.source, progress)
    if loaded.book is None or loaded.diagnostics:
        _print_diagnostics(loaded)
        print(f"publish: release refused: {len(loaded.diagnostics)} diagnostics (a release must have none)",
              file=sys.stderr)
        return _exit_code(loaded, strict=True)
    version = release_version(args.version, loaded.book.metadata.version)
    artefacts = build_release(loaded, args.out, version, progress)
    if not args.quiet:
        for artefact in artefacts:
            pages = f", {artefact.pages} pages" if artefact.pages else ""
            print(f"wrote {args.out / artefact.file} ({artefact.bytes // 1024} KB{pages})")
        print(f"wrote {args.out / 'SHA256SUMS'} and {args.out / 'report.json'} (version {version})")
    return EXIT_OK


def _with_progress(quiet: bool, work: Callable[[Progress], int]) -> int:
    """Run ``work`` with a progress display; a backend's or theme's error ends it with exit 1."""
    progress = make_progress(quiet)
    try:
        return work(progress)
    except (RenderError, ThemeError) as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        progress.close()


def _print_summary(results: list[RenderResult], loaded: LoadedBook, progress: Progress, seconds: float) -> None:
    for result in results:
        pages = f", {result.pages} pages" if result.pages else ""
        print(f"wrote {result.path} ({result.path.stat().st_size // 1024} KB{pages})")
    kinds = Counter(d.code.value for d in loaded.diagnostics)
    found = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()) or "none"
    print(f"diagnostics: {found}")
    stages = ", ".join(f"{name} {took:.1f} s" for name, took in progress.timings)
    print(f"time: {seconds:.1f} s" + (f" ({stages})" if stages else ""))


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
