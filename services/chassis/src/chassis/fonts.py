"""A TrueType font with every Vietnamese letter, for the PDFs services print (reportlab).

reportlab's bundled fonts (Vera, the standard 14) have none of the Vietnamese glyphs. We embed DejaVu Sans:
configurable per service (`<SERVICE>_PDF_FONT_PATH`, `ServiceSettings.pdf_font_path`), else found
where Debian's `fonts-dejavu-core` puts it (installed by deploy/system-packages.sh), else from matplotlib's
bundled copy when that package is present. Without any of them no PDF can be made and the API says so (503).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from chassis.errors import Problem

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
)
FONT_NAME = "VietnameseSans"


class FontMissing(Problem):
    status, code, title = 503, "pdf-font-missing", "PDF font missing"


def font_path(configured: str | None = None) -> Path:
    candidates = [configured] if configured else []
    candidates += list(FONT_CANDIDATES)
    spec = importlib.util.find_spec("matplotlib")
    if spec and spec.origin:
        candidates.append(str(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "Máy chủ thiếu phông chữ tiếng Việt để in tài liệu PDF (DejaVu Sans)",
        "No font with Vietnamese glyphs (DejaVu Sans) is installed; set the service's PDF font path",
    )


def vietnamese_font(configured: str | None = None) -> TTFont:
    """The registered font (registered once per process)."""
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path(configured))))
    return pdfmetrics.getFont(FONT_NAME)
