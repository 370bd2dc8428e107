"""The ``publish`` command line: the only place that prints and picks exit codes."""
from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path


from .build import LoadedBook, build_formats, load_book
from .cache import CACHE_DIR, Cache
from .diagnostics import INPUT_CODES, Diagnostic, Severity
from .progress import Progress, make_progress
from .render import RenderError, RenderResult, formats
from .theme.theme import Theme, ThemeError, load_theme

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
    build.add_argument("--format", default="all", help=f"{','.join(formats())} or all (default: all)")
    build.add_argument("--theme", default="default", help="theme name under themes/ (default: default)")
    release = commands.add_parser("release", help="strict build of every format and the print PDF, "
                                                  "named by version, with SHA256SUMS and report.json")
    release.add_argument("--out", type=Path, default=Path("build/release"), help="default: build/release")
    release.add_argument("--version", default="", help="e.g. 1.2.0 or v1.2.0; default: the book's version")
    serve = commands.add_parser("serve", help="the website on 127.0.0.1, rebuilt and reloaded on every save")
    serve.add_argument("--theme", default="default", help="theme name under themes/ (default: default)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any free port)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    for sub, run in ((check, _check), (build, _build), (release, _release), (serve, _serve)):
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
    return EXIT_FAILED if loaded.fails(strict) else EXIT_OK


def _check(args: argparse.Namespace) -> int:
    loaded = load_book(args.source)
    if args.json:
        print(json.dumps(_report_json(loaded), ensure_ascii=False, indent=2))
    else:
        _print_diagnostics(loaded.diagnostics)
        _print_report(loaded)
    return _exit_code(loaded, args.strict)


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
    built = build_formats(args.source, args.out, theme, wanted, progress, strict=args.strict, cache=cache)
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
    from .serve import Events, Preview, Rebuild, start_server, update_search, watch

    with tempfile.TemporaryDirectory(prefix="publish-serve-") as tmp:
        preview = Preview(args.source, args.theme, Path(tmp) / "site")
        first = preview.build()
        if not (preview.site / "index.html").is_file():
            _print_diagnostics(first.diagnostics)
            print(f"publish: nothing to serve: {first.failure}", file=sys.stderr)
            return EXIT_FAILED
        if problem := update_search(preview.site):
            print(f"publish: search index not built: {problem}", file=sys.stderr)
        events, stop = Events(), threading.Event()
        try:
            server = start_server(preview, events, args.host, args.port)
        except OSError as exc:
            print(f"publish: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE

        def report(rebuild: Rebuild) -> None:
            _print_diagnostics(rebuild.diagnostics)
            changed = f"{len(rebuild.changed)} files changed" if rebuild.changed else "no page changed"
            print(f"{rebuild.failure or changed} ({rebuild.seconds:.2f} s)", flush=True)

        signal.signal(signal.SIGTERM, _interrupt)  # a stopped service cleans up like Ctrl-C
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
    kinds = Counter(d.code.value for d in loaded.diagnostics)
    found = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()) or "none"
    print(f"diagnostics: {found}")
    stages = ", ".join(f"{name} {took:.1f} s" for name, took in progress.timings)
    print(f"time: {seconds:.1f} s" + (f" ({stages})" if stages else ""))


def _print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    for diagnostic in diagnostics:
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
