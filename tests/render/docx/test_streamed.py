"""A part kept as compressed chunks is written as the tree it came from would be serialised."""
from __future__ import annotations

from lxml import etree

from publish.render.docx.streamed import StreamedPart

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DOCUMENT = (f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>'
            '<w:p><w:r><w:t>one &amp; &lt;!--publish-cut--&gt;</w:t></w:r></w:p>'
            '<w:p><w:hyperlink r:id="rId5"><w:r><w:t>two</w:t></w:r></w:hyperlink></w:p>'
            '<w:p><w:pPr><w:pStyle w:val="Marker"/></w:pPr></w:p>'
            '<w:sectPr/></w:body></w:document>').encode()


def _whole(part: StreamedPart) -> bytes:
    return b"".join(part.written())


def _serialised(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def test_the_chunks_between_head_and_tail_are_the_whole_part() -> None:
    whole = etree.fromstring(DOCUMENT)
    root = etree.fromstring(DOCUMENT)
    body = root[0]
    part = StreamedPart.around(root, body)
    assert len(body) == 4  # around leaves the children in place
    later = [body[2], body[3]]
    for child in later:
        body.remove(child)
    part.add(body)
    assert len(body) == 0
    body.extend(later)  # the next piece, as join gives it
    part.add(body)
    assert len(part.chunks) == 2
    assert _whole(part) == _serialised(whole)
    # namespaces are declared once, on the root, as in the tree's own serialisation
    assert _whole(part).count(f'xmlns:w="{W}"'.encode()) == 1


def test_a_replacement_takes_the_first_place_only_and_text_cannot_fake_a_cut() -> None:
    root = etree.fromstring(DOCUMENT)
    part = StreamedPart.around(root, root[0])
    part.add(root[0])
    marker = b'<w:p><w:pPr><w:pStyle w:val="Marker"/></w:pPr></w:p>'
    written = b"".join(part.written({marker: b"<w:p>A</w:p><w:p>B</w:p>"}))
    assert marker not in written and written.count(b"<w:p>A</w:p><w:p>B</w:p>") == 1
    text = etree.fromstring(written).find(f".//{{{W}}}t").text
    assert text == "one & <!--publish-cut-->"


def test_a_change_applies_to_the_head_and_the_chunks_stay_after_it() -> None:
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    root = etree.fromstring(f'<Relationships xmlns="{rels}"><Relationship Id="rId1"/></Relationships>'.encode())
    part = StreamedPart.around(root, root, keep=True)
    later = etree.Element(f"{{{rels}}}Relationships", nsmap={None: rels})
    etree.SubElement(later, f"{{{rels}}}Relationship", Id="rId2")
    part.add(later)
    part.change(lambda head: etree.SubElement(head, f"{{{rels}}}Relationship", Id="rIdHeader"))
    ids = [r.get("Id") for r in etree.fromstring(_whole(part))]
    assert ids == ["rId1", "rIdHeader", "rId2"]
    assert _whole(part).count(f'xmlns="{rels}"'.encode()) == 1
