"""A theme: one folder with theme.toml, CSS and Jinja2 templates and its fonts, loaded once."""
from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePath
from types import MappingProxyType
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .units import length_mm, page_size_mm

THEMES = Path(__file__).resolve().parents[2] / "themes"
"""Where ``--theme NAME`` looks: the project's ``themes/`` folder."""

DEFAULTS: dict[str, dict[str, Any]] = {
    "theme": {"name": "", "description": "", "extends": "", "file_suffix": ""},
    "page": {"size": "A4", "margin_top": "20mm", "margin_bottom": "22mm",
             "margin_inner": "20mm", "margin_outer": "20mm", "bleed": "0mm", "marks": "none"},
    "pdf": {"variant": ""},
    "fonts": {"body": "Noto Serif", "heading": "Noto Sans", "mono": "Noto Sans Mono",
              "fallback": ["DejaVu Sans"], "size": "10.5pt", "line_height": "1.4"},
    "colors": {"text": "#1a1a1a", "accent": "#1d4f7a", "link": "#1d4f7a", "muted": "#5f6368",
               "rule": "#c8c8c8", "code_background": "#f4f4f1"},
    "sizes": {"term": "1.45em", "section": "1.05em", "letter": "4em", "small": "0.85em"},
    "docx": {"letter": "Letter", "term": "Term", "section": "Explanation Heading",
             "seealso_heading": "See Also Heading", "tagline": "Tagline", "seealso": "See Also",
             "index_letter": "Index Letter", "index_entry": "Index Entry"},
    "features": {"running_heads": True, "letter_dividers": True, "letter_new_page": True,
                 "letter_right_page": False, "entry_new_page": False, "toc": True, "toc_entries": False,
                 "index": True, "link_color": True, "crossref_arrows": False, "crossref_pages": False,
                 "thumb_index": False, "columns": 1,
                 "backlinks": False},
}
"""Every key theme.toml may set, with its default (docs/themes.md explains each)."""


class ThemeError(ValueError):
    """A theme that cannot be used; the message names the file."""


@dataclass(frozen=True, slots=True)
class FontFace:
    family: str
    path: Path
    weight: int = 400
    style: str = "normal"


@dataclass(frozen=True)
class Theme:
    name: str
    folder: Path
    values: Mapping[str, Mapping[str, Any]]
    """theme.toml merged over the theme it extends (and finally DEFAULTS), section by section."""
    fonts: tuple[FontFace, ...]
    parents: tuple[Path, ...] = ()
    """Folders of the themes this one extends, nearest first."""

    @property
    def folders(self) -> tuple[Path, ...]:
        """This theme's folder, then those it extends: templates are looked up in this order."""
        return (self.folder, *self.parents)

    def value(self, section: str, key: str) -> Any:
        return self.values[section][key]

    def font_stack(self, role: str) -> tuple[str, ...]:
        """CSS families for ``body``, ``heading`` or ``mono``, then the fallback fonts."""
        fonts = self.values["fonts"]
        return (fonts[role], *fonts["fallback"])

    @cached_property
    def templates(self) -> jinja2.Environment:
        """HTML, XHTML and SVG templates: every one is escaped, whatever its file name."""
        return _Sandbox(loader=_ThemeLoader([str(f / "templates") for f in self.folders]
                                            + [str(f) for f in self.folders]),
                        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)

    @cached_property
    def _css(self) -> jinja2.Environment:
        """CSS templates: not HTML-escaped (quotes are CSS syntax); theme values are checked when the
        theme loads, and book text goes through the ``css_string`` and ``css_ident`` filters."""
        env = _Sandbox(autoescape=False, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        env.filters.update(css_string=css_string, css_ident=css_ident)
        return env

    def render(self, template: str, **context: Any) -> str:
        """Render a template; the nearest theme in the chain that has it wins."""
        return self._render(lambda: self.templates.get_template(template), template, context)

    def render_css(self, name: str, **context: Any) -> str:
        """CSS cascades: ``css/NAME`` of every theme in the chain, the one extended first."""
        layers = [(f, f / "css" / name) for f in reversed(self.folders) if (f / "css" / name).is_file()]
        return "\n".join(self._render(lambda folder=folder, path=path: self._css.from_string(_read_inside(path, folder)),
                                       str(path), context) for folder, path in layers)

    def asset(self, name: str) -> bytes:
        """A file the outputs copy as it is (``js/search.js``): the nearest theme in the chain that has it."""
        for folder in self.folders:
            if (folder / name).is_file():
                if not _is_inside(folder / name, folder):
                    raise ThemeError(f"{folder / name}: lies outside the theme folder {folder}")
                return (folder / name).read_bytes()
        raise ThemeError(f"{self.folder}: no theme in the chain has {name}")

    def _render(self, load: Callable[[], jinja2.Template], name: str, context: dict[str, Any]) -> str:
        try:
            return load().render(theme=self, **context)
        except ThemeError:
            raise
        except (jinja2.TemplateError, OSError, ArithmeticError, LookupError, TypeError, ValueError,
                MemoryError, RecursionError) as exc:
            # A theme's template is the theme author's code: whatever it gets wrong, name the file.
            where = getattr(exc, "filename", None) or name
            line = getattr(exc, "lineno", None)
            raise ThemeError(f"{where}{':' + str(line) if line else ''}: template error: {exc}") from exc


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox, and templates see values only: a path shows its name, never its file, and
    the theme shows what docs/themes.md lists, not its loader or folders."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, PurePath):
            return attr in ("name", "stem", "suffix")
        if isinstance(obj, Theme):
            return attr in ("name", "values", "value", "fonts", "font_stack")
        return super().is_safe_attribute(obj, attr, value)


class _ThemeLoader(jinja2.FileSystemLoader):
    """Loads templates from the theme folders only, also when a file there is a link elsewhere."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not any(_is_inside(Path(filename), Path(root)) for root in self.searchpath):
            raise jinja2.TemplateNotFound(template, f"{filename} lies outside the theme")
        return source, filename, uptodate


def _is_inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _read_inside(path: Path, folder: Path) -> str:
    if not _is_inside(path, folder):
        raise ThemeError(f"{path}: lies outside the theme folder {folder}")
    return path.read_text(encoding="utf-8")


def css_string(text: Any) -> str:
    """``text`` as a quoted CSS string that nothing in it can end: quotes, backslashes, ``<``, ``>``,
    ``&`` and control characters become CSS escapes."""
    return '"' + re.sub(r'["\\<>&\x00-\x1f\x7f-\x9f\u2028\u2029]', lambda c: f"\\{ord(c[0]):x} ", str(text)) + '"'


def css_ident(text: Any) -> str:
    """``text`` as one CSS identifier (a selector's ``#id`` or a page name): everything but letters,
    digits, ``-`` and ``_`` is escaped, and so is a leading digit."""
    ident = re.sub(r"[^\w-]", lambda c: f"\\{ord(c[0]):x} ", str(text))
    return re.sub(r"^(-?)(\d)", lambda c: f"{c[1]}\\{ord(c[2]):x} ", ident)


def load_theme(name: str, themes: Path = THEMES, _seen: tuple[str, ...] = ()) -> Theme:
    """Load ``themes/NAME``; ``[theme] extends`` names a theme whose values, CSS, templates and
    fonts this one starts from. Only names of folders under ``themes`` are accepted, never paths."""
    if not _is_theme_name(name):
        raise ThemeError(f"{name!r} is not a theme name: give the name of a folder under {themes}, not a path "
                         f"(available: {', '.join(_available(themes)) or 'none'})")
    folder = themes / name
    config_path = folder / "theme.toml"
    if not config_path.is_file():
        raise ThemeError(f"{config_path}: no such theme (available: {', '.join(_available(themes)) or 'none'})")
    data = _read_toml(config_path)
    for section, table in data.items():
        if section not in DEFAULTS or not isinstance(table, dict):
            raise ThemeError(f"{config_path}: unknown section [{section}]")
        unknown = sorted(set(table) - set(DEFAULTS[section]))
        if unknown:
            raise ThemeError(f"{config_path}: unknown key {section}.{unknown[0]}")
        for key, value in table.items():
            _check_value(config_path, section, key, value)
    parent_name = data.get("theme", {}).get("extends", "")
    if parent_name == name:
        raise ThemeError(f"{config_path}: theme {name!r} extends itself")
    if parent_name in _seen:
        chain = " -> ".join((*_seen, name, parent_name))
        raise ThemeError(f"{config_path}: themes extend each other in a circle ({chain})")
    parent = load_theme(parent_name, themes, (*_seen, name)) if parent_name else None
    values = {section: dict(parent.values[section]) if parent else dict(defaults)
              for section, defaults in DEFAULTS.items()}
    values["theme"].update(name="", extends="", file_suffix="")
    fonts_file = folder / "fonts" / "fonts.toml"
    fonts = _load_fonts(fonts_file, folder, values["fonts"]) if fonts_file.is_file() or not parent else parent.fonts
    for section, table in data.items():
        values[section].update(table)
    frozen = MappingProxyType({k: MappingProxyType(v) for k, v in values.items()})
    parents = (parent.folder, *parent.parents) if parent else ()
    return Theme(values["theme"]["name"] or name, folder, frozen, fonts, parents)


def _is_theme_name(name: object) -> bool:
    """A folder name: no separators, no ``..``, nothing hidden — so a theme is always under themes/."""
    return isinstance(name, str) and bool(_THEME_NAME.fullmatch(name)) and ".." not in name


def _available(themes: Path) -> list[str]:
    return sorted(p.name for p in themes.iterdir() if (p / "theme.toml").is_file()) if themes.is_dir() else []


_THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_TEXT = r"[^\x00-\x1f\x7f]*"
_FAMILY = (r"\w[\w .+-]*", "a font family name (letters, digits, spaces, . + -)")
_LENGTH = r"\d+(?:\.\d+)?(?:mm|cm|in|pt|pc)"
_PRINT_LENGTH = (_LENGTH, "a length in mm, cm, in, pt or pc, e.g. \"20mm\"")
_EM = (r"\d+(?:\.\d+)?em", "a size in em, e.g. \"1.2em\"")
_COLOR = (r"#[0-9A-Fa-f]{6}", "a colour #rrggbb")
_STYLE_NAME = (rf"{_TEXT}[A-Za-z0-9]{_TEXT}", "a Word style name with a letter or digit")
_PATTERNS: dict[tuple[str, str], tuple[str, str]] = {
    ("theme", "name"): (rf"|{_THEME_NAME.pattern}", "a name of letters, digits, . _ -"),
    ("theme", "description"): (_TEXT, "one line of text"),
    ("theme", "extends"): (rf"|{_THEME_NAME.pattern}", "the name of a folder under themes/"),
    ("theme", "file_suffix"): (r"[\w.-]*", "letters, digits, . _ - (a part of a file name)"),
    ("page", "size"): (rf"(?i:(?:A[3-6]|B5|letter|legal)(?:\s+(?:landscape|portrait))?)|{_LENGTH}\s+{_LENGTH}",
                       "A3–A6, B5, letter or legal (optionally landscape), or two lengths"),
    **{("page", key): _PRINT_LENGTH for key in ("margin_top", "margin_bottom", "margin_inner", "margin_outer", "bleed")},
    ("page", "marks"): (r"none|crop|cross|crop cross|cross crop", "none, crop, cross or crop cross"),
    ("pdf", "variant"): (r"|pdf/[a-z0-9.-]+", "a WeasyPrint PDF variant such as pdf/a-2b"),
    **{("fonts", key): _FAMILY for key in ("body", "heading", "mono", "fallback")},
    ("fonts", "size"): _PRINT_LENGTH,
    ("fonts", "line_height"): (r"\d+(?:\.\d+)?(?:em|%|pt|mm)?", "a number such as 1.4, or a length"),
    **{("colors", key): _COLOR for key in DEFAULTS["colors"]},
    **{("sizes", key): _EM for key in ("term", "section", "small")},
    ("sizes", "letter"): (r"\d+(?:\.\d+)?(?:em|rem|mm|cm|in|pt|pc|px)", "a size such as 4em"),
    **{("docx", key): _STYLE_NAME for key in DEFAULTS["docx"]},
}
"""What each string value may be. The values go into CSS, file names and Word styles unquoted,
so a value that could end its CSS declaration or string never reaches a template."""


def _check_value(path: Path, section: str, key: str, value: Any) -> None:
    default = DEFAULTS[section][key]
    if isinstance(default, bool):
        ok, want = isinstance(value, bool), "true or false"
    elif isinstance(default, int):
        ok, want = type(value) is int and 1 <= value <= 12, "a whole number from 1 to 12"
    else:
        pattern, want = _PATTERNS[section, key]
        items = value if isinstance(default, list) and isinstance(value, list) else [value]
        ok = isinstance(value, type(default)) and all(isinstance(v, str) and re.fullmatch(pattern, v) for v in items)
        want = f"a list, each {want}" if isinstance(default, list) else want
    if not ok:
        raise ThemeError(f"{path}: {section}.{key} must be {want}, not {value!r}")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ThemeError(f"{path}: cannot read: {exc}") from exc


def _load_fonts(path: Path, folder: Path, fonts: dict[str, Any]) -> tuple[FontFace, ...]:
    """The theme's font files, which must lie inside the theme ``folder``; fonts.toml's
    body/heading/mono/fallback families become the defaults that theme.toml's [fonts] may still
    override."""
    if not path.is_file():
        return ()
    data = _read_toml(path)
    unknown = sorted(set(data) - {"body", "heading", "mono", "fallback", "font"})
    if unknown:
        raise ThemeError(f"{path}: unknown key {unknown[0]}")
    for role in ("body", "heading", "mono", "fallback"):
        if role in data:
            _check_value(path, "fonts", role, data[role])
            fonts[role] = data[role]
    listed = data.get("font", [])
    if not isinstance(listed, list) or not all(isinstance(font, dict) for font in listed):
        raise ThemeError(f"{path}: font must be a list of [[font]] tables")
    return tuple(_font_face(path, folder, n, font) for n, font in enumerate(listed, start=1))


def _font_face(path: Path, folder: Path, n: int, font: dict[str, Any]) -> FontFace:
    where = f"{path}: font {n}"
    unknown = sorted(set(font) - {"family", "file", "weight", "style"})
    if unknown:
        raise ThemeError(f"{where}: unknown key {unknown[0]}")
    family, name = font.get("family"), font.get("file")
    weight, style = font.get("weight", 400), font.get("style", "normal")
    if not isinstance(family, str) or not re.fullmatch(_FAMILY[0], family):
        raise ThemeError(f"{where}: family must be {_FAMILY[1]}, not {family!r}")
    if not isinstance(name, str) or not re.fullmatch(r"[\w .+-]+(?:/[\w .+-]+)*", name):
        raise ThemeError(f"{where}: file must be a file name relative to the fonts folder, not {name!r}")
    if type(weight) is not int or not 1 <= weight <= 1000:
        raise ThemeError(f"{where}: weight must be a whole number from 1 to 1000, not {weight!r}")
    if style not in ("normal", "italic", "oblique"):
        raise ThemeError(f"{where}: style must be normal, italic or oblique, not {style!r}")
    file = path.parent / name
    # Checked before the file is touched: a theme's fonts are read and embedded in every EPUB.
    if ".." in Path(name).parts or not _is_inside(file, folder):
        raise ThemeError(f"{where}: font file {name} lies outside the theme folder {folder}")
    if not file.is_file():
        raise ThemeError(f"{path}: font file {name} is missing")
    return FontFace(family, file, weight, style)
