"""Finishing touches on WeasyPrint's structure tree (tagged PDF), before the file is written."""
from __future__ import annotations

import pydyf
from weasyprint.document import Document


def refine_structure(document: Document, pdf: pydyf.PDF) -> None:
    """WeasyPrint's ``finisher``: say what its tagging leaves checkers to guess.

    - Header cells get ``/Scope``: ``/Column`` in the table head, ``/Row`` in its body.
      WeasyPrint links data cells to headers with ``/Headers``/``/ID`` only, which checkers that
      read the header cells (``pdfua``'s UA-15-003) do not see.
    - A formula is an inline ``<svg>`` inside the writer's ``span.math``, which WeasyPrint tags
      ``/Figure`` under a ``/Span``; it becomes ``/Formula`` and keeps its ``/Alt`` (the TeX).
      Images are ``<img>`` in paragraphs, links or figures, never directly in such a span.
    - A link annotation's ``/Contents`` (what a screen reader announces for it) is the link's
      text, not the id or URL WeasyPrint puts there.
    - The tree root says its ``/ParentTreeNextKey`` (one more than its parent tree's last key):
      the join reads it where it would otherwise read the whole parent tree of every part.
    """
    for page in document.pages:
        for _, _, _, box in page.links:
            annotation = getattr(box, "link_annotation", None)
            text = " ".join("".join(box.element.itertext()).split()) if box.element is not None else ""
            if annotation is not None and text:
                annotation["Contents"] = pydyf.String(text)
    dictionaries = {obj.reference: obj for obj in pdf.objects if isinstance(obj, pydyf.Dictionary)}
    elements = {reference: obj for reference, obj in dictionaries.items() if obj.get("Type") == "/StructElem"}
    for root in (obj for obj in dictionaries.values() if obj.get("Type") == "/StructTreeRoot"):
        numbers = dictionaries[root["ParentTree"]].get("Nums", [])
        root["ParentTreeNextKey"] = max(numbers[::2], default=-1) + 1
    for element in elements.values():
        role = element.get("S")
        parent = elements.get(element.get("P"))
        if role == "/TH":
            grandparent = elements.get(parent.get("P")) if parent is not None else None
            in_head = grandparent is not None and grandparent.get("S") == "/THead"
            element["A"]["Scope"] = "/Column" if in_head else "/Row"
        elif role == "/Figure" and "Alt" in element and parent is not None and parent.get("S") == "/Span":
            element["S"] = "/Formula"
