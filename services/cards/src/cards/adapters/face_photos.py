"""A holder's photo on a card face: the JPEG embedded as it is (DCTDecode), once per PDF, drawn by reference.

reportlab's `drawImage` takes a file name or an `ImageReader`; for a reader it decodes the whole image to hash its
pixels before embedding the same JPEG bytes anyway (~1 ms a card, as much as the rest of the face). The photo's
SHA-256 already names it, so the image XObject is made from the bytes directly: the same steps `drawImage` takes
for a file name, without the file.
"""

from __future__ import annotations

import io

from reportlab.pdfbase.pdfdoc import PDFImageXObject
from reportlab.pdfgen.canvas import Canvas


def draw_jpeg(canvas: Canvas, sha256: str, jpeg: bytes, x: float, y: float, width: float, height: float) -> None:
    name = f"photo{sha256[:32]}"
    document = canvas._doc
    registered = document.getXObjectName(name)
    if document.idToObject.get(registered) is None:
        image = PDFImageXObject(name)
        if not image.loadImageFromJPEG(io.BytesIO(jpeg)):
            raise ValueError("not a JPEG reportlab can embed")
        canvas._setXObjects(image)
        document.Reference(image, registered)
        document.addForm(name, image)
    canvas._currentPageHasImages = 1
    canvas.saveState()
    canvas.transform(width, 0, 0, height, x, y)
    canvas.addLiteral(f"/{registered} Do")
    canvas.restoreState()
    canvas._formsinuse.append(name)
