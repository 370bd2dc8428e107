"""The ``publish`` command line: the only place that prints and picks exit codes."""
from __future__ import annotations

import argparse
import json
import csv
import io
import logging
import re
import shutil
import signal
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path


from . import __version__
from .author.book_toml import draft_book_toml
from .author.fix import chosen_edits, plan, unified_diff, write
from .author.new_entry import EntryExists, NewEntryError, new_entry
from .build import LoadedBook, build_formats, load_book, suggestions_for
from .cache import CACHE_DIR, Cache
from .diagnostics import Diagnostic, Severity
from .progress import LOG_FORMAT, Progress, make_progress
from .read.config import CONFIG_NAME, load_config
from .render import RenderError, RenderOptions, RenderResult, default_jobs, formats
from .resolve.suggest import Suggestion, Suggestions, relative
from .theme.theme import Theme, ThemeError, load_theme

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_SHOWN_FILES = 3
"""The missing-entries report names this many linking files, then "+N more" (all of them in --json)."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    logging.basicConfig(level=logging.INFO if getattr(args, "verbose", False) else logging.ERROR, format=LOG_FORMAT)
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="publish", description="Build reference books from one Markdown file per entry.")
    parser.add_argument("--version", action="version", version=f"publish {__version__}")
    parser.set_defaults(command=None)
    commands = parser.add_subparsers(dest="command")
    check = commands.add_parser("check", help="read and resolve the book; print diagnostics and missing entries")
    check.add_argument("--json", action="store_true", help="machine-readable records on stdout")
    check.add_argument("--report", type=Path, help="also write the missing-entries report to FILE "
                                                   "(.md: Markdown, .csv: CSV)")
    fix = commands.add_parser("fix", help="apply the suggestions of check: show them as a diff, write with --write",
                              description="Apply the best suggestion for each missing target and duplicate id "
                                          "(set the id a file name implies, add an alias, rewrite links). Prints a "
                                          "unified diff; changes files only with --write. Exit status: 0 done "
                                          "(or nothing to do), 1 an edit could not be made, 2 usage error or "
                                          "unreadable input.")
    init = commands.add_parser("init", help="write a commented book.toml for an existing folder",
                               description="Read the folder as it is and write SOURCE/book.toml: title and authors "
                                           "from a title block or YAML block, the language, the front matter files, "
                                           "and files to exclude (an earlier aggregated build, a hand-made index "
                                           "page). Prints what it decided and why. Exit status: 0 written, 1 "
                                           "book.toml exists (use --force), 2 usage error or unreadable input.")
    init.add_argument("--force", action="store_true", help="overwrite an existing book.toml")
    new = commands.add_parser("new", help="write a new entry file, pre-filled with the entries linking to it",
                              description="Write SOURCE/ID.md from the template new-entry.md.j2 (SOURCE/templates/ "
                                          "first, then the theme's templates/). When TERM names a missing link "
                                          "target, the entry gets that id and its see-also section lists the "
                                          "entries that link to it. Exit status: 0 written, 1 the id or file exists "
                                          "already, 2 a term that cannot be an entry, a template error or "
                                          "unreadable input.")
    new.add_argument("term", help="the entry's title, e.g. 'Neural Network' or a missing id such as Neural-Network")
    new.add_argument("--theme", default="default", help="theme whose template is used (default: default)")
    fix.add_argument("--write", action="store_true", help="change the files (default: only show the diff)")
    fix.add_argument("--only", action="append", default=[], metavar="ID",
                     help="only the suggestions for this missing target or duplicate id (repeatable)")
    build = commands.add_parser("build", help="write the book in one or more formats")
    build.add_argument("--out", type=Path, default=Path("build"), help="output folder (default: build)")
    build.add_argument("--format", default="all", help=f"{','.join(formats())} or all (default: all)")
    build.add_argument("--theme", default="default", help="theme name under themes/ (default: default)")
    build.add_argument("--jobs", type=_positive, default=default_jobs(),
                       help=f"worker processes reading a large book's files, laying out the PDF's parts and "
                            f"running pandoc on the DOCX's halves; 1: none (default: the cores, {default_jobs()}; "
                            f"reading and the DOCX take only cores other programs leave free)")
    build.add_argument("--no-parts", dest="parts", action="store_false",
                       help="lay the PDF out in one pass, as one document (the baseline)")
    release = commands.add_parser("release", help="strict build of every format and the print PDF, "
                                                  "named by version, with SHA256SUMS and report.json")
    release.add_argument("--out", type=Path, default=Path("build/release"), help="default: build/release")
    release.add_argument("--version", default="", help="e.g. 1.2.0 or v1.2.0; default: the book's version")
    serve = commands.add_parser("serve", help="the website on 127.0.0.1, rebuilt and reloaded on every save")
    serve.add_argument("--theme", default="default", help="theme name under themes/ (default: default)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any free port)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    for sub, run in ((check, _check), (build, _build), (release, _release), (fix, _fix),
                     (init, _init), (new, _new), (serve, _serve)):
        sub.add_argument("--source", type=Path, default=Path("seeds"), help="source folder (default: seeds)")
        sub.set_defaults(run=run)
    for sub in (check, build):
        sub.add_argument("--strict", action="store_true", help="fail on any warning")
    for sub in (build, release):
        loudness = sub.add_mutually_exclusive_group()
        loudness.add_argument("--quiet", action="store_true", help="print only problems")
        loudness.add_argument("--verbose", action="store_true", help="also print what the libraries log")
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def _exit_code(loaded: LoadedBook, strict: bool) -> int:
    if loaded.unreadable:
        return EXIT_USAGE
    return EXIT_FAILED if loaded.fails(strict) else EXIT_OK


def _check(args: argparse.Namespace) -> int:
    if args.report and args.report.suffix.lower() not in (".md", ".csv"):
        print(f"publish: --report {args.report}: name a .md or .csv file", file=sys.stderr)
        return EXIT_USAGE
    loaded = load_book(args.source)
    suggestions = suggestions_for(loaded)
    if args.json:
        print(json.dumps(_report_json(loaded, suggestions), ensure_ascii=False, indent=2))
    else:
        _print_diagnostics(loaded.diagnostics)
        _print_report(loaded, suggestions)
    if args.report and loaded.book is not None:
        try:
            args.report.write_text(_report_file(loaded, suggestions, args.report.suffix.lower()), encoding="utf-8")
        except OSError as exc:
            print(f"publish: cannot write {args.report}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    return _exit_code(loaded, args.strict)


def _init(args: argparse.Namespace) -> int:
    target = args.source / CONFIG_NAME
    if target.exists() and not args.force:
        print(f"publish: {target} exists; publish init --force replaces it", file=sys.stderr)
        return EXIT_FAILED
    loaded = load_book(args.source)
    if loaded.unreadable:
        _print_diagnostics(loaded.diagnostics)
        return EXIT_USAGE
    draft = draft_book_toml(args.source, loaded.book, loaded.strays)
    try:
        target.write_text(draft.text, encoding="utf-8")
    except OSError as exc:
        print(f"publish: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {target}:")
    for decision in draft.decisions:
        print(f"  {decision}")
    print("next: publish check, then publish fix")
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    try:
        theme = load_theme(args.theme)
    except ThemeError as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return EXIT_USAGE
    loaded = load_book(args.source)
    if loaded.unreadable:
        _print_diagnostics(loaded.diagnostics)
        return EXIT_USAGE
    folders = [args.source / "templates", *(folder / "templates" for folder in theme.folders)]
    entry_class = load_config(args.source)[0].sources.entry_class
    try:
        entry = new_entry(args.term, loaded.book, loaded.missing, entry_class, folders)
    except NewEntryError as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return EXIT_FAILED if isinstance(exc, EntryExists) else EXIT_USAGE
    try:
        with entry.path.open("x", encoding="utf-8") as handle:
            handle.write(entry.text)
    except OSError as exc:
        print(f"publish: cannot write {entry.path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    linking = ", ".join(e.id for e in entry.linked_from[:_SHOWN_FILES])
    more = f" +{len(entry.linked_from) - _SHOWN_FILES} more" if len(entry.linked_from) > _SHOWN_FILES else ""
    print(f"wrote {entry.path}" + (f" (linked from {linking}{more})" if linking else ""))
    return EXIT_OK


def _fix(args: argparse.Namespace) -> int:
    loaded = load_book(args.source)
    if loaded.unreadable:
        _print_diagnostics(loaded.diagnostics)
        return EXIT_USAGE
    changes, problems = plan(chosen_edits(suggestions_for(loaded), args.only), loaded.missing)
    for change in changes:
        print(unified_diff(change, args.source), end="")
    for problem in problems:
        print(f"publish: {problem}", file=sys.stderr)
    edits = sum(len(c.edits) for c in changes)
    if not changes:
        print("nothing to fix")
    elif args.write:
        for change in changes:
            write(change)
        print(f"changed {len(changes)} files ({edits} edits); run publish check to see what is left")
    else:
        print(f"{len(changes)} files would change ({edits} edits); publish fix --write applies them")
    return EXIT_FAILED if problems else EXIT_OK


def _build(args: argparse.Namespace) -> int:
    known = formats()
    wanted = known if args.format == "all" else tuple(f.strip() for f in args.format.split(",") if f.strip())
    unknown = [f for f in wanted if f not in known]
    if unknown or not wanted:
        named = ", ".join(unknown) or repr(args.format)
        print(f"publish: unknown format {named}; choose from {', '.join(known)} or all", file=sys.stderr)
        return EXIT_USAGE
    try:
        theme = load_theme(args.theme)
    except ThemeError as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if problem := _output_problem(args.out, args.source):
        print(f"publish: {problem}", file=sys.stderr)
        return EXIT_USAGE
    cache = Cache(args.out / CACHE_DIR)
    return _with_progress(args.quiet, lambda progress: _render(args, theme, wanted, cache, progress))


def _render(args: argparse.Namespace, theme: Theme, wanted: tuple[str, ...], cache: Cache, progress: Progress) -> int:
    started = time.perf_counter()
    built = build_formats(args.source, args.out, theme, wanted, progress, strict=args.strict, cache=cache,
                          options=RenderOptions(jobs=args.jobs, parts=args.parts))
    if built.loaded is None:
        if not args.quiet:
            print("\n".join(f"up to date: {path}" for path in built.current))
        return EXIT_OK
    _print_diagnostics(built.loaded.diagnostics + built.render_diagnostics)
    if built.refused:
        print("publish: nothing built: fix the problems above first", file=sys.stderr)
        return _exit_code(built.loaded, strict=True) if not built.results else EXIT_FAILED
    if not args.quiet:
        for path in built.current:
            print(f"up to date: {path}")
        _print_summary(built.results, built.loaded, progress, time.perf_counter() - started)
    return EXIT_OK


def _release(args: argparse.Namespace) -> int:
    if problem := _output_problem(args.out, args.source):
        print(f"publish: {problem}", file=sys.stderr)
        return EXIT_USAGE
    return _with_progress(args.quiet, lambda progress: _write_release(args, progress))


def _write_release(args: argparse.Namespace, progress: Progress) -> int:
    from .release import build_release

    release = build_release(args.source, args.out, args.version, progress)
    if release.refused:
        _print_diagnostics(release.diagnostics)
        print(f"publish: release refused: {len(release.diagnostics)} diagnostics (a release must have none)",
              file=sys.stderr)
        return _exit_code(release.loaded, strict=True) if release.loaded.fails(strict=True) else EXIT_FAILED
    if not args.quiet:
        for artefact in release.artefacts:
            pages = f", {artefact.pages} pages" if artefact.pages else ""
            print(f"wrote {args.out / artefact.file} ({artefact.bytes // 1024} KB{pages})")
        print(f"wrote {args.out / 'SHA256SUMS'} and {args.out / 'report.json'} (version {release.version})")
    return EXIT_OK


def _with_progress(quiet: bool, work: Callable[[Progress], int]) -> int:
    """Run ``work`` with a progress display; a backend's or theme's error, or an output that
    cannot be written, ends it with exit 1."""
    progress = make_progress(quiet)
    try:
        return work(progress)
    except (RenderError, ThemeError) as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(f"publish: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        progress.close()


def _output_problem(out: Path, source: Path) -> str:
    """Why ``out`` cannot take the outputs ('' when it can)."""
    resolved = out.resolve()
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file, not a folder"
    if resolved == Path(resolved.anchor):
        return f"--out {out} is the root of the file system; name a folder for the outputs"
    if resolved == source.resolve():
        return f"--out {out} is the source folder; outputs and their cache would mix with the sources"
    return ""


def _serve(args: argparse.Namespace) -> int:
    from .serve import Events, Preview, Rebuild, start_server, watch

    with tempfile.TemporaryDirectory(prefix="publish-serve-") as tmp:
        preview = Preview(args.source, args.theme, Path(tmp) / "site")
        first = preview.build()
        if not (preview.site / "index.html").is_file():
            _print_diagnostics(first.diagnostics)
            print(f"publish: nothing to serve: {first.failure}", file=sys.stderr)
            return EXIT_FAILED
        events, stop = Events(), threading.Event()
        try:
            server = start_server(preview, events, args.host, args.port)
        except OSError as exc:
            print(f"publish: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE

        shown: list[tuple[Diagnostic, ...]] = []

        def report(rebuild: Rebuild) -> None:
            # A draft may have thousands of problems: each save prints them only when they changed.
            if rebuild.diagnostics and shown == [rebuild.diagnostics]:
                print(f"the same {len(rebuild.diagnostics)} problems as before", file=sys.stderr)
            else:
                _print_diagnostics(rebuild.diagnostics)
            shown[:] = [rebuild.diagnostics]
            changed = f"{len(rebuild.changed)} files changed" if rebuild.changed else "no page changed"
            print(f"{rebuild.failure or changed} ({rebuild.seconds:.2f} s)", flush=True)

        # Ctrl-C and a stopped service clean up alike, even when the parent left these signals
        # ignored or blocked (a background job, some CI runners), which the child would inherit.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
        report(first)
        host, port = server.server_address[:2]
        print(f"serving http://{host}:{port}/ (Ctrl-C stops)", flush=True)
        try:
            watch(preview, events, report, stop)
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            events.close()
            server.shutdown()
            server.server_close()
        print("stopped", flush=True)
    return EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _print_summary(results: list[RenderResult], loaded: LoadedBook, progress: Progress, seconds: float) -> None:
    for result in results:
        pages = f", {result.pages} pages" if result.pages else ""
        path = result.path
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size
        files = f", {sum(1 for p in path.rglob('*') if p.is_file())} files" if path.is_dir() else ""
        print(f"wrote {path} ({size // 1024} KB{files}{pages})")
        for note in result.notes:
            print(f"  note: {note}")
    kinds = Counter(d.code.value for d in loaded.diagnostics)
    found = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()) or "none"
    print(f"diagnostics: {found}")
    stages = ", ".join(f"{name} {took:.1f} s" for name, took in progress.timings)
    print(f"time: {seconds:.1f} s" + (f" ({stages})" if stages else ""))


def _print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)


def _print_report(loaded: LoadedBook, suggestions: Suggestions) -> None:
    width = max(40, shutil.get_terminal_size().columns)
    source = loaded.book.source if loaded.book else Path(".")

    def say(text: str, indent: str = "  ", more: str = "      ") -> None:
        print(textwrap.fill(text, width, initial_indent=indent, subsequent_indent=more,
                            break_on_hyphens=False, break_long_words=False))

    def advise(found: tuple[Suggestion, ...]) -> None:
        for s in found:
            say(f"→ {s.reason} (fix: {s.edit.describe(source)})", "    ", "        ")

    if loaded.missing:
        say(f"Missing entries ({len(loaded.missing)} link targets without an entry, most linked first):", "", "")
        for missing in loaded.missing:
            files = sorted({relative(p.path, source) for p in missing.uses})
            more = f" +{len(files) - _SHOWN_FILES}\u00a0more" if len(files) > _SHOWN_FILES else ""
            say(f"{missing.target}  {len(missing.uses)} link{'s' * (len(missing.uses) != 1)} from "
                f"{', '.join(files[:_SHOWN_FILES])}{more}")
            advise(suggestions.missing.get(missing.target, ()))
    if suggestions.duplicates:
        say(f"Duplicate ids ({len(suggestions.duplicates)}, the first file keeps the id):", "", "")
        for duplicate in suggestions.duplicates:
            say(f"{duplicate.id}  {', '.join(relative(p, source) for p in duplicate.paths)}")
            advise(duplicate.suggestions)
    if suggestions.missing or any(d.suggestions for d in suggestions.duplicates):
        say("publish fix shows the suggested edits as a diff; publish fix --write makes them", "", "")
    book = loaded.book
    errors = sum(d.severity is Severity.ERROR for d in loaded.diagnostics)
    warnings = len(loaded.diagnostics) - errors
    if book is not None:
        say(f"{len(book.entries)} entries, {len(book.front_matter)} front matter files, "
            f"{book.links} links resolved; {errors} errors, {warnings} warnings", "", "")


def _report_json(loaded: LoadedBook, suggestions: Suggestions) -> dict[str, object]:
    book = loaded.book
    return {
        "entries": [{"id": e.id, "title": e.title_text, "source": str(e.source), "line": e.line}
                    for e in book.entries] if book else [],
        "links_resolved": book.links if book else 0,
        "diagnostics": [d.to_json() for d in loaded.diagnostics],
        "missing_entries": [{"target": mm.target, "count": len(mm.uses),
                             "uses": [{"path": str(p.path), "line": p.line, "col": p.col} for p in mm.uses],
                             "suggestions": _suggestions_json(suggestions.missing.get(mm.target, ()))}
                            for mm in loaded.missing],
        "duplicate_ids": [{"id": d.id, "paths": [str(p) for p in d.paths],
                           "suggestions": _suggestions_json(d.suggestions)} for d in suggestions.duplicates],
    }


def _suggestions_json(suggestions: tuple[Suggestion, ...]) -> list[dict[str, object]]:
    return [{"reason": s.reason, "action": s.edit.action, "old": s.edit.old, "new": s.edit.new,
             "path": str(s.edit.path) if s.edit.path else None} for s in suggestions]


def _report_file(loaded: LoadedBook, suggestions: Suggestions, suffix: str) -> str:
    """The missing-entries report as the author's to-do list: a Markdown table or CSV."""
    source = loaded.book.source if loaded.book else Path(".")
    rows = [(mm.target, str(len(mm.uses)), ", ".join(sorted({relative(p.path, source) for p in mm.uses})),
             "; ".join(s.reason for s in suggestions.missing.get(mm.target, ())))
            for mm in loaded.missing]
    header = ("target", "links", "linked from", "suggestions")
    if suffix == ".csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *rows])
        return out.getvalue()

    def cell(text: str) -> str:
        return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", text)

    lines = [f"# Missing entries ({len(rows)})", "", "| " + " | ".join(header) + " |", "|---|---:|---|---|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
