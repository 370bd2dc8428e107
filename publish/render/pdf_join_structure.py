"""One structure tree for a joined tagged PDF (PDF/UA): every part's elements under one Document."""
from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name


def join_structure(book: pikepdf.Pdf, sources: list[pikepdf.Pdf], placed: list[dict[tuple[int, int], int]]) -> None:
    """Give ``book`` (the parts' pages already in it) one structure tree: the elements below each
    tagged part's Document element become the kids of one Document, in part order; each part's
    parent tree keys (its pages' ``/StructParents``, its annotations' ``/StructParent``) move past
    the keys of the parts before it. Role and class maps and ID trees are merged."""
    root = book.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = book.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array()))
    numbers: list[tuple[int, pikepdf.Object]] = []
    ids: dict[str, pikepdf.Object] = {}
    offset = 0
    maps: dict[str, Dictionary] = {}
    for part, source in enumerate(sources):
        if "/StructTreeRoot" not in source.Root:
            continue
        tree = book.copy_foreign(source.Root.StructTreeRoot)
        for top in _kids(tree):
            for element in _kids(top) if top.get("/S") == Name.Document else [top]:
                element.P = document
                document.K.append(element)
        pairs = _number_tree(tree.ParentTree) if "/ParentTree" in tree else []
        numbers += [(key + offset, value) for key, value in pairs]
        for number in placed[part].values():
            page = book.pages[number].obj
            if "/StructParents" in page:
                page.StructParents = int(page.StructParents) + offset
            for annotation in page.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        names = _name_tree(tree.IDTree) if "/IDTree" in tree else []
        for index in range(0, len(names), 2):
            ids.setdefault(str(names[index]), names[index + 1])
        for key in ("/RoleMap", "/ClassMap"):
            for name, value in tree.get(key, Dictionary()).items():
                maps.setdefault(key, Dictionary())[name] = value
        offset += max((key for key, _ in pairs), default=-1) + 1
    root.K = Array([document])
    root.ParentTree = book.make_indirect(Dictionary(Nums=Array([x for key, value in sorted(numbers, key=lambda n: n[0])
                                                                for x in (key, value)])))
    root.ParentTreeNextKey = offset
    if ids:
        root.IDTree = book.make_indirect(Dictionary(Names=Array([x for name in sorted(ids)
                                                                 for x in (pikepdf.String(name), ids[name])])))
    for key, value in maps.items():
        root[key] = value
    book.Root.StructTreeRoot = root


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
