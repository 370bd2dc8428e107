"""Find a book's source files, decode them and take out pandoc-style metadata blocks."""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from .config import CONFIG_NAME, SourceConfig
from ..xml_chars import INVALID_XML, without_invalid_xml
from ..diagnostics import Code, Diagnostic, error, warning
from ..theme.languages import is_language_tag

SOURCE_SUFFIXES = (".md", ".markdown", ".txt")
_YAML_FENCE = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_YAML_KEYS = {"title": "title", "subtitle": "subtitle", "author": "authors", "date": "date",
              "lang": "language", "language": "language", "rights": "rights",
              "identifier": "identifier", "version": "version"}
_YAML_MAX_DEPTH = 8
"""Metadata is a few strings and lists; deeper nesting is refused before it is built."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path
    text: str
    """The decoded text; metadata blocks are blanked out so line numbers stay right."""
    front_matter: bool


@dataclass(frozen=True, slots=True)
class Sources:
    files: tuple[SourceFile, ...]
    """Front matter first in configured order, then entry files by name."""
    metadata: dict[str, object]
    """Metadata found in title blocks and YAML blocks (first file that sets a key wins)."""


Decoded = tuple[tuple[int, int, int], "str | None", tuple[Diagnostic, ...]]
"""A file's (modification time, size, inode), its decoded text (None: unusable) and the problems decoding found."""


def gather_sources(folder: Path, config: SourceConfig, decoded: dict[str, Decoded] | None = None
                   ) -> tuple[Sources, list[Diagnostic]]:
    """Read every source file directly inside ``folder``. ``decoded`` holds what the last call
    decoded per file name (a preview's memory): a file that looks the same is not read again;
    it is updated to this call's files."""
    diagnostics: list[Diagnostic] = []
    kept: dict[str, Decoded] = {}
    candidates = sorted(p for p in folder.iterdir()
                        if p.suffix.lower() in SOURCE_SUFFIXES and p.name != CONFIG_NAME
                        and not _matches(p.name, config.exclude))
    root = folder.resolve()
    metadata: dict[str, object] = {}
    front: list[tuple[int, SourceFile]] = []
    entries: list[SourceFile] = []
    for path in candidates:
        if not _utf8_name(path.name):
            diagnostics.append(error(Code.ENCODING, path, 1, 1, "file name is not valid UTF-8; rename the file"))
            continue
        # Only a symbolic link can lead out of the folder (resolving each path costs more than reading it).
        if path.is_symlink() and not path.resolve().is_relative_to(root) or not path.is_file():
            diagnostics.append(error(Code.UNREADABLE, path, 1, 1,
                                     "not a regular file inside the source folder; skipped"))
            continue
        text = _decode_once(path, diagnostics, decoded, kept)
        if text is None:
            continue
        text = _take_title_block(text, metadata)
        text = _take_yaml_block(path, text, metadata, diagnostics)
        if not text or text.isspace():
            if not metadata or path.stat().st_size == 0:
                diagnostics.append(warning(Code.EMPTY, path, 1, 1, "empty file; skipped"))
            continue
        rank = _rank(path.name, config.front_matter)
        if rank is None:
            entries.append(SourceFile(path, text, front_matter=False))
        else:
            front.append((rank, SourceFile(path, text, front_matter=True)))
    front.sort(key=lambda pair: (pair[0], pair[1].path.name))
    if not front and not entries:
        what = "no file with text" if candidates else f"no {', '.join('*' + suffix for suffix in SOURCE_SUFFIXES)} files"
        diagnostics.append(error(Code.NO_SOURCES, folder, 1, 1, f"{what} in the source folder: no book to make"))
    missing = [name for name in config.front_matter
               if not any(ch in name for ch in "*?[") and not (folder / name).is_file()]
    for name in missing:
        diagnostics.append(error(Code.MISSING_SOURCE, folder / CONFIG_NAME, 1, 1,
                                 f"front matter file {name!r} does not exist"))
    if decoded is not None:
        decoded.clear()
        decoded.update(kept)
    return Sources(tuple(f for _, f in front) + tuple(entries), metadata), diagnostics


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return _rank(name, patterns) is not None


def _rank(name: str, patterns: tuple[str, ...]) -> int | None:
    return next((i for i, pattern in enumerate(patterns) if fnmatch.fnmatchcase(name, pattern)), None)


def _decode_once(path: Path, diagnostics: list[Diagnostic], decoded: dict[str, Decoded] | None,
                 kept: dict[str, Decoded]) -> str | None:
    """``_decode``, or what it gave last time for a file of the same modification time, size and inode."""
    try:
        status = path.stat()
    except OSError:
        decoded = None
    if decoded is None:
        return _decode(path, diagnostics)
    stamp = (status.st_mtime_ns, status.st_size, status.st_ino)
    known = decoded.get(path.name)
    if known is None or known[0] != stamp:
        found: list[Diagnostic] = []
        known = (stamp, _decode(path, found), tuple(found))
    kept[path.name] = known
    diagnostics += known[2]
    return known[1]


def _decode(path: Path, diagnostics: list[Diagnostic]) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        diagnostics.append(error(Code.UNREADABLE, path, 1, 1, f"cannot read: {exc.strerror}"))
        return None
    if b"\0" in data[:8192]:
        diagnostics.append(error(Code.BINARY, path, 1, 1, "binary file, not Markdown text; skipped"))
        return None
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start
        line = data.count(b"\n", 0, offset) + 1
        col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        diagnostics.append(error(Code.ENCODING, path, line, col,
                                 f"not valid UTF-8 (byte 0x{data[offset]:02x}); save the file as UTF-8"))
        return None
    return _drop_invalid_xml(path, text.replace("\r\n", "\n").replace("\r", "\n"), diagnostics)


def _utf8_name(name: str) -> bool:
    """False for a name with bytes that are not UTF-8 (Python keeps them as surrogate escapes)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _drop_invalid_xml(path: Path, text: str, diagnostics: list[Diagnostic]) -> str:
    first = INVALID_XML.search(text)
    if first is None:
        return text
    line = text.count("\n", 0, first.start()) + 1
    col = first.start() - (text.rfind("\n", 0, first.start()) + 1) + 1
    count = len(INVALID_XML.findall(text))
    diagnostics.append(warning(Code.CONTROL_CHARACTER, path, line, col,
                               f"control character U+{ord(first[0]):04X} ({count} in the file) cannot be "
                               "published; form feeds and vertical tabs become spaces, the others are dropped"))
    return without_invalid_xml(text)


def _blank(block: str) -> str:
    """Keep only the newlines of a removed block, so later line numbers do not move."""
    return "\n" * block.count("\n")


def _take_title_block(text: str, metadata: dict[str, object]) -> str:
    """Pandoc's title block: up to three ``%`` lines (title, authors, date) at the very top."""
    if not text.startswith("%"):
        return text
    lines = text.split("\n")
    fields: list[str] = []
    end = 0
    while end < len(lines) and len(fields) < 3:
        line = lines[end]
        if line.startswith("%"):
            fields.append(line[1:].strip())
        elif line.startswith((" ", "\t")) and fields:
            fields[-1] += " " + line.strip()
        else:
            break
        end += 1
    for key, value in zip(("title", "authors", "date"), fields):
        if value and key not in metadata:
            metadata[key] = tuple(a.strip() for a in value.split(";") if a.strip()) if key == "authors" else value
    return "\n" * end + "\n".join(lines[end:])


def _take_yaml_block(path: Path, text: str, metadata: dict[str, object],
                     diagnostics: list[Diagnostic]) -> str:
    match = _YAML_FENCE.match(text)
    if not match:
        return text
    try:
        data = _safe_yaml(match[1])
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 2
        diagnostics.append(warning(Code.BAD_METADATA, path, line, 1,
                                   f"YAML metadata block does not parse ({getattr(exc, 'problem', exc)}); read as text"))
        return text
    if not isinstance(data, dict):
        return text
    for key, value in data.items():
        name = _YAML_KEYS.get(str(key))
        if name is None or name in metadata or value is None:
            continue
        value = _metadata_value(name, value)
        if value is None or (name == "language" and not is_language_tag(value)):
            expected = {"authors": "text or a list of texts", "language": "a language tag such as de-DE"}.get(name, "text")
            diagnostics.append(warning(Code.BAD_METADATA, path, _yaml_key_line(match[1], str(key)), 1,
                                       f"metadata {key!r} must be {expected}; ignored"))
            continue
        metadata[name] = value
    return _blank(match[0]) + text[match.end():]


def _safe_yaml(block: str) -> object:
    """The block's data; anchors and aliases (the "billion laughs") and deep nesting are refused first."""
    depth = 0
    for event in yaml.parse(block, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(problem="anchors and aliases (& and *) are not allowed in metadata",
                                       problem_mark=event.start_mark)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > _YAML_MAX_DEPTH:
                raise yaml.MarkedYAMLError(problem=f"nested deeper than {_YAML_MAX_DEPTH} levels",
                                           problem_mark=event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return yaml.safe_load(block)


def _metadata_value(name: str, value: object) -> str | tuple[str, ...] | None:
    """A metadata value as the model holds it, or None when it is not text (a mapping, a nested list)."""
    if name == "authors" and isinstance(value, list):
        authors = [_scalar(a) for a in value]
        return None if None in authors else tuple(a for a in authors if a)
    text = _scalar(value)
    return (text,) if name == "authors" and text is not None else text


def _scalar(value: object) -> str | None:
    if isinstance(value, (str, int, float, date)):
        return without_invalid_xml(str(value))
    return None


def _yaml_key_line(block: str, key: str) -> int:
    found = re.search(rf"^{re.escape(key)}\s*:", block, re.M)
    return block.count("\n", 0, found.start()) + 2 if found else 2
