"""Python's garbage collector kept off the book's model: paused while it is built, frozen while it is rendered."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """No collections while code makes long-lived objects and no cycles (unpickling the model read
    by workers, resolving it): each collection would scan the growing model again (a tenth of the
    time of reading 300 entries in workers). Code that parses must not run inside: markdown-it's
    tokens form cycles that only a collection frees."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def model_frozen() -> Iterator[None]:
    """Render with everything alive so far (the read and resolved book: hundreds of thousands of
    objects that outlive the rendering) out of the garbage collector's sight, so that rendering's
    collections do not scan it again and again (a fifth of the DOCX backend's time for 300
    entries); afterwards it is collectable again, for a preview server's next build."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
