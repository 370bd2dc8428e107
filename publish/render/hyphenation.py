"""Hyphenation patterns parsed once in the layout workers' fork server, for the book's language."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pyphen

LANGUAGES = "PUBLISH_HYPHENATION_LANGUAGES"
"""The language tags (space-separated) whose patterns the fork server parses as it starts: every
worker it forks has them, where each would otherwise parse them again (0.4 s for German)."""


def load(languages: str) -> None:
    """Parse the patterns WeasyPrint picks for each tag (its fallback, e.g. ``de-DE`` → ``de_DE``)
    into pyphen's cache of dictionaries."""
    for tag in languages.split():
        name = pyphen.language_fallback(tag)
        if name is not None:
            pyphen.Pyphen(lang=name)


@contextmanager
def given_to_children(languages: list[str]) -> Iterator[None]:
    """Name ``languages`` to the processes started in this block (the fork server)."""
    saved = os.environ.get(LANGUAGES)
    os.environ[LANGUAGES] = " ".join(languages)
    try:
        yield
    finally:
        if saved is None:
            del os.environ[LANGUAGES]
        else:
            os.environ[LANGUAGES] = saved


load(os.environ.get(LANGUAGES, ""))
