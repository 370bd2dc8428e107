"""A theme: one folder with theme.toml, CSS and Jinja2 templates and its fonts, loaded once."""
from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2

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
                 "thumb_index": False, "columns": 1},
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
        return jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(f / "templates") for f in self.folders]
                                           + [str(f) for f in self.folders]),
            autoescape=jinja2.select_autoescape(("html", "xhtml", "html.j2", "xhtml.j2"), default_for_string=False),
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        )

    def render(self, template: str, **context: Any) -> str:
        """Render a template; the nearest theme in the chain that has it wins."""
        return self._render(lambda: self.templates.get_template(template), template, context)

    def render_css(self, name: str, **context: Any) -> str:
        """CSS cascades: ``css/NAME`` of every theme in the chain, the one extended first."""
        layers = [f / "css" / name for f in reversed(self.folders) if (f / "css" / name).is_file()]
        return "\n".join(self._render(lambda path=path: self.templates.from_string(path.read_text(encoding="utf-8")),
                                       str(path), context) for path in layers)

    def _render(self, load: Any, name: str, context: dict[str, Any]) -> str:
        try:
            return load().render(theme=self, **context)
        except (jinja2.TemplateError, OSError) as exc:
            where = getattr(exc, "filename", None) or name
            line = getattr(exc, "lineno", None)
            raise ThemeError(f"{where}{':' + str(line) if line else ''}: template error: {exc}") from exc


def load_theme(name: str, themes: Path = THEMES, _seen: tuple[str, ...] = ()) -> Theme:
    """Load ``themes/NAME``; ``[theme] extends`` names a theme whose values, CSS, templates and
    fonts this one starts from."""
    folder = themes / name
    config_path = folder / "theme.toml"
    if not config_path.is_file():
        available = sorted(p.name for p in themes.iterdir() if (p / "theme.toml").is_file()) if themes.is_dir() else []
        raise ThemeError(f"{config_path}: no such theme (available: {', '.join(available) or 'none'})")
    data = _read_toml(config_path)
    for section, table in data.items():
        if section not in DEFAULTS or not isinstance(table, dict):
            raise ThemeError(f"{config_path}: unknown section [{section}]")
        unknown = sorted(set(table) - set(DEFAULTS[section]))
        if unknown:
            raise ThemeError(f"{config_path}: unknown key {section}.{unknown[0]}")
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
    fonts = _load_fonts(fonts_file, values["fonts"]) if fonts_file.is_file() or not parent else parent.fonts
    for section, table in data.items():
        values[section].update(table)
    frozen = MappingProxyType({k: MappingProxyType(v) for k, v in values.items()})
    parents = (parent.folder, *parent.parents) if parent else ()
    return Theme(values["theme"]["name"] or name, folder, frozen, fonts, parents)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ThemeError(f"{path}: cannot read: {exc}") from exc


def _load_fonts(path: Path, fonts: dict[str, Any]) -> tuple[FontFace, ...]:
    """The theme's font files; fonts.toml's body/heading/mono/fallback families become the
    defaults that theme.toml's [fonts] may still override."""
    if not path.is_file():
        return ()
    data = _read_toml(path)
    fonts.update({role: data[role] for role in ("body", "heading", "mono", "fallback") if role in data})
    faces = []
    for font in data.get("font", []):
        file = path.parent / font["file"]
        if not file.is_file():
            raise ThemeError(f"{path}: font file {font['file']} is missing")
        faces.append(FontFace(font["family"], file, int(font.get("weight", 400)), font.get("style", "normal")))
    return tuple(faces)
