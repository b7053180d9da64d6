"""Reading a tagged PDF's structure tree, as a screen reader walks it."""

import pypdf


def struct_elements(reader: pypdf.PdfReader):
    """Every element of the structure tree in reading order, as ``(kind, element)``: kind is the
    structure type without its slash ("H1", "TH", "Figure")."""

    def walk(node):
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for child in node:
                yield from walk(child)
        elif isinstance(node, pypdf.generic.DictionaryObject):
            yield str(node.get("/S", ""))[1:], node
            if "/K" in node:
                yield from walk(node["/K"])

    root = reader.trailer["/Root"]
    if "/StructTreeRoot" in root:
        yield from walk(root["/StructTreeRoot"])
