"""``publish serve``: the website in a temporary folder on 127.0.0.1, rebuilt on save, reloaded in the browser."""
from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from html import escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import model as m
from .build import LoadedBook, load_book
from .cache import Cache
from .diagnostics import Diagnostic
from .progress import Progress
from .read.folder import ReadMemory
from .read.sources import SOURCE_SUFFIXES
from .render import RenderError
from .render.search import DOCUMENTS
from .render.site import write_site
from .theme.theme import Theme, ThemeError, load_theme

EVENTS_PATH = "/_publish/events"
_RELOAD_SCRIPT = """<script>
(function () {
  var page = decodeURIComponent(location.pathname.split("/").pop() || "index.html");
  var events = new EventSource("%s?since=__VERSION__");
  events.onmessage = function (message) {
    var change = JSON.parse(message.data);
    if (change.all || change.changed.indexOf(page) >= 0) { location.reload(); }
  };
})();
</script>""" % EVENTS_PATH


@dataclass(frozen=True, slots=True)
class Rebuild:
    """What one preview build did."""

    changed: tuple[str, ...]
    """Files of the site that changed (relative names)."""
    diagnostics: tuple[Diagnostic, ...]
    seconds: float
    failure: str = ""
    """Why nothing was written (a theme error, an error diagnostic); the last good pages stay."""


class Preview:
    """Builds the site of ``source`` into ``site`` again and again, writing only what changed."""

    def __init__(self, source: Path, theme: str, site: Path) -> None:
        self.source, self.theme_name, self.site = source, theme, site
        self.cache = MemoryCache(site.parent / "cache")
        self.memory = ReadMemory()
        """Every source file as last read: a file that did not change is not read, parsed or split again."""
        self.loaded: LoadedBook | None = None
        """The last load of the book: an edit of some entries resolves only those."""
        self.theme: Theme | None = None
        """Loaded again only when a file of the theme changed (its templates are compiled once)."""
        self.book: m.Book | None = None
        """The book of the last good build: the next one renders only entries that changed."""
        self.diagnostics: tuple[Diagnostic, ...] = ()
        self.failure = ""
        self._banner = ""

    def watched(self) -> tuple[Path, ...]:
        """The source folder and every folder of the theme chain."""
        try:
            return (self.source, *load_theme(self.theme_name).folders)
        except ThemeError:
            return (self.source,)

    def build(self, everything: bool = False, edited: Collection[Path] | None = None) -> Rebuild:
        """Build again; ``everything`` renders every page (the theme changed), else only entries
        whose page may differ from the last build's. When all ``edited`` files are source files of
        the book, only the entries that changed are resolved again; else (or not known) the whole book."""
        started = time.perf_counter()
        sources_only = edited is not None and all(_is_source(path, self.source) for path in edited)
        try:
            if everything or self.theme is None:
                self.theme = None  # a theme that fails to load is tried again at the next build
                self.theme = load_theme(self.theme_name)
            theme = self.theme
            self.memory.forget(None if edited is None else [path.name for path in edited])
            loaded = load_book(self.source, Progress(), self.cache, previous=self.loaded if sources_only else None,
                               memory=self.memory)
            self.loaded = loaded
            if loaded.fails(strict=False) or loaded.book is None:
                return self._done(started, (), loaded.diagnostics, "the book has errors; showing the last good build",
                                  edited)
            written = write_site(loaded.book, theme, self.site, None if everything else self.book)
            self.book = loaded.book
        except (ThemeError, RenderError, OSError) as exc:
            return self._done(started, (), self.diagnostics, str(exc), edited)
        return self._done(started, written.changed, loaded.diagnostics + tuple(written.diagnostics), "", edited)

    def _done(self, started: float, changed: tuple[str, ...], diagnostics: tuple[Diagnostic, ...],
              failure: str, edited: Collection[Path] | None) -> Rebuild:
        self.diagnostics, self.failure = diagnostics, failure
        self._banner = _banner(diagnostics, failure, {path.name for path in edited or ()})
        return Rebuild(changed, diagnostics, time.perf_counter() - started, failure)

    def banner(self) -> str:
        """The last build's problems as HTML for the top of every page (empty when there are none)."""
        return self._banner


BANNER_LINES = 20
"""A banner lists this many problems; the terminal has them all (a large draft may have thousands)."""


def _banner(diagnostics: tuple[Diagnostic, ...], failure: str, edited: set[str]) -> str:
    """The problems of the files just edited (``edited``: their names; sources lie directly in the
    source folder) first, then the others, at most ``BANNER_LINES``."""
    first = sorted(diagnostics, key=lambda d: not (d.path and d.path.name in edited)) if edited else diagnostics
    lines = [f"<li>{escape(str(d))}</li>" for d in first[:BANNER_LINES]]
    if len(diagnostics) > BANNER_LINES:
        lines.append(f"<li>… {len(diagnostics) - BANNER_LINES} more: see the terminal</li>")
    if failure:
        lines.insert(0, f"<li><strong>{escape(failure)}</strong></li>")
    if not lines:
        return ""
    return ('<div class="publish-diagnostics" role="alert" style="border:2px solid #b00020;'
            'background:#fff4f4;color:#1a1a1a;padding:0.5em 1em;margin:0.5em;font:14px sans-serif">'
            f'<ul style="margin:0;padding-left:1.2em">{"".join(lines)}</ul></div>')


def _is_source(path: Path, source: Path) -> bool:
    """A text file directly in the source folder, other than book.toml (images, settings: not sources)."""
    return path.parent.resolve() == source.resolve() and path.suffix.lower() in SOURCE_SUFFIXES


class MemoryCache(Cache):
    """Parsed files held in memory: a preview decodes nothing from disk after its first build."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self._held: dict[tuple[str, str], Any] = {}

    def load(self, kind: str, key: str) -> Any | None:
        return self._held.get((kind, key))

    def store(self, kind: str, key: str, value: Any) -> None:
        self._held[(kind, key)] = value


class Events:
    """The last change, for every open page's event stream."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self.version = 0
        self._payload = ""
        self.closed = False

    def publish(self, changed: Iterable[str], everything: bool) -> None:
        with self._condition:
            self.version += 1
            self._payload = json.dumps({"changed": list(changed), "all": everything})
            self._condition.notify_all()

    def close(self) -> None:
        with self._condition:
            self.closed = True
            self._condition.notify_all()

    def wait(self, seen: int, timeout: float) -> tuple[int, str]:
        """The next change after version ``seen`` ("" when ``timeout`` passed or the server stops)."""
        with self._condition:
            self._condition.wait_for(lambda: self.version != seen or self.closed, timeout)
            return self.version, self._payload if self.version != seen else ""


class _Handler(SimpleHTTPRequestHandler):
    """Files of the site; HTML pages get the diagnostics banner and the reload script; the event stream."""

    def __init__(self, *args: Any, preview: Preview, events: Events, host: str, **kwargs: Any) -> None:
        self.preview, self.events, self.host = preview, events, host
        super().__init__(*args, directory=str(preview.site), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        if self._host_allowed():
            super().do_HEAD()

    def do_GET(self) -> None:
        if not self._host_allowed():
            return
        path = unquote(urlsplit(self.path).path)
        if path == EVENTS_PATH:
            return self._stream()
        version = self.events.version  # before the file is read: a build that ends meanwhile is news
        file = Path(self.translate_path(self.path))
        if file.is_dir():
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            return self._page(file.read_text("utf-8"), version)
        if not file.exists():
            self.send_response(404)
            return self._page((self.preview.site / "404.html").read_text("utf-8"), version, sent=True)
        super().do_GET()

    def _host_allowed(self) -> bool:
        """Whether the request names this machine (or the address the preview was told to listen
        on): a web page the author visits could otherwise read the draft through a name of its own
        that it points at 127.0.0.1 (DNS rebinding). Listening on every address, any name goes."""
        try:
            named = urlsplit("//" + (self.headers.get("Host") or "")).hostname or ""
        except ValueError:
            named = ""
        if self.host in ("0.0.0.0", "::", "") or named in {"localhost", "127.0.0.1", "::1", self.host.lower()}:
            return True
        self.send_error(403, "this preview answers only to requests for localhost")
        return False

    def _page(self, html: str, version: int, sent: bool = False) -> None:
        script = _RELOAD_SCRIPT.replace("__VERSION__", str(version))
        html = html.replace("<body>", "<body>" + self.preview.banner(), 1).replace("</body>", script + "</body>", 1)
        data = html.encode("utf-8")
        if not sent:
            self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _stream(self) -> None:
        seen = self.events.version  # before the headers: a change after them is this stream's
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            if _since(self.path) not in (None, seen):
                # A build ended between serving the page and this stream's start: the page may be
                # out of date, and the change it missed is not known any more.
                self.wfile.write(b'data: {"changed": [], "all": true}\n\n')
                self.wfile.flush()
            while not self.events.closed:
                seen, payload = self.events.wait(seen, 15)
                self.wfile.write(f"data: {payload}\n\n".encode() if payload else b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


def _since(request: str) -> int | None:
    """The build version a page was served at (``?since=`` of its event stream), if it says one."""
    value = parse_qs(urlsplit(request).query).get("since", [""])[0]
    return int(value) if value.isdigit() else None


def start_server(preview: Preview, events: Events, host: str, port: int) -> ThreadingHTTPServer:
    """Serve ``preview``'s site on ``host:port`` (port 0: any free one) in a background thread."""
    server = ThreadingHTTPServer((host, port), functools.partial(_Handler, preview=preview, events=events, host=host))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="publish-serve", daemon=True).start()
    return server


def watch(preview: Preview, events: Events, on_build: Callable[[Rebuild], None], stop: threading.Event) -> None:
    """Rebuild on every change of the source or theme folders until ``stop`` is set."""
    from watchfiles import watch as watch_files

    shown = (preview.diagnostics, preview.failure)
    source = preview.source.resolve()
    for changes in watch_files(*preview.watched(), stop_event=stop, debounce=50, step=20,
                               watch_filter=lambda _, path: "/." not in path and not path.endswith("~")):
        edited = {Path(path) for _, path in changes}
        rebuild = preview.build(any(not path.resolve().is_relative_to(source) for path in edited), edited)
        # A page reloads when it changed; every page does when the banner or the stylesheet did
        # (not for the search's documents: a page loads them when the reader next searches).
        everything = (rebuild.diagnostics, rebuild.failure) != shown or \
            not all(name.endswith(".html") or name == DOCUMENTS for name in rebuild.changed)
        shown = (rebuild.diagnostics, rebuild.failure)
        if rebuild.changed or everything:
            events.publish(rebuild.changed, everything)
        on_build(rebuild)
