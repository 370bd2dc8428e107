"""One structure tree for a joined tagged PDF (PDF/UA): every part's elements under one Document."""
from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name


class StructureJoin:
    """The joined book's structure tree, built one part at a time, so a part can be closed once added.

    The elements below each tagged part's Document element become the kids of one Document, in part
    order; each part's parent tree keys (its pages' ``/StructParents``, its annotations'
    ``/StructParent``) move past the keys of the parts before it. Role and class maps and ID trees
    are merged."""

    def __init__(self, book: pikepdf.Pdf) -> None:
        self.book = book
        self.root = book.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.document = book.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=self.root, K=Array()))
        self.numbers: list[tuple[int, pikepdf.Object]] = []
        self.ids: dict[str, pikepdf.Object] = {}
        self.maps: dict[str, Dictionary] = {}
        self.offset = 0
        self.tagged = False

    def add(self, source: pikepdf.Pdf, pages: list[pikepdf.Object]) -> None:
        """Take over ``source``'s structure tree; ``pages`` are its pages already copied into the book."""
        if "/StructTreeRoot" not in source.Root:
            return
        self.tagged = True
        tree = self.book.copy_foreign(source.Root.StructTreeRoot)
        for top in _kids(tree):
            for element in _kids(top) if top.get("/S") == Name.Document else [top]:
                element.P = self.document
                self.document.K.append(element)
        pairs = _number_tree(tree.ParentTree) if "/ParentTree" in tree else []
        self.numbers += [(key + self.offset, value) for key, value in pairs]
        for page in pages:
            if "/StructParents" in page:
                page.StructParents = int(page.StructParents) + self.offset
            for annotation in page.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + self.offset
        names = _name_tree(tree.IDTree) if "/IDTree" in tree else []
        for index in range(0, len(names), 2):
            self.ids.setdefault(str(names[index]), names[index + 1])
        for key in ("/RoleMap", "/ClassMap"):
            for name, value in tree.get(key, Dictionary()).items():
                self.maps.setdefault(key, Dictionary())[name] = value
        self.offset += max((key for key, _ in pairs), default=-1) + 1

    def finish(self) -> None:
        """Give the book the joined tree, if any part was tagged."""
        if not self.tagged:
            return
        root = self.root
        root.K = Array([self.document])
        root.ParentTree = self.book.make_indirect(Dictionary(Nums=Array(
            [x for key, value in sorted(self.numbers, key=lambda n: n[0]) for x in (key, value)])))
        root.ParentTreeNextKey = self.offset
        if self.ids:
            root.IDTree = self.book.make_indirect(Dictionary(Names=Array(
                [x for name in sorted(self.ids) for x in (pikepdf.String(name), self.ids[name])])))
        for key, value in self.maps.items():
            root[key] = value
        self.book.Root.StructTreeRoot = root


def _kids(node: pikepdf.Object) -> list[pikepdf.Object]:
    kids = node.get("/K")
    return list(kids) if isinstance(kids, Array) else [kids] if kids is not None else []


def _number_tree(node: pikepdf.Object) -> list[tuple[int, pikepdf.Object]]:
    """(key, value) of a number tree, leaves in order."""
    flat = node.get("/Nums", Array())
    pairs = [(int(flat[i]), flat[i + 1]) for i in range(0, len(flat), 2)]
    return pairs + [pair for kid in node.get("/Kids", Array()) for pair in _number_tree(kid)]


def _name_tree(node: pikepdf.Object) -> list[pikepdf.Object]:
    """A name tree's flat ``[name value …]``, leaves in order."""
    return [*node.get("/Names", Array()), *(item for kid in node.get("/Kids", Array()) for item in _name_tree(kid))]
