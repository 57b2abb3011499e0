"""The font printed papers use: Noto Sans SC, installed from the npm registry at set-up with the
pages' packages (fangkong/web/package.json), never fetched at run time.

A PDF viewer or printer without a Chinese font draws nothing for a font the file only names, so
papers embed this one; ReportLab writes into each PDF a subset of just the glyphs it uses (a
one-page notice carries some 30 KB of font, not the 10 MB file)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

PAPER_FONT = "NotoSansSC"
FONT_FILE = (
    Path(__file__).parent.parent
    / "web"
    / "node_modules"
    / "@expo-google-fonts"
    / "noto-sans-sc"
    / "400Regular"
    / "NotoSansSC_400Regular.ttf"
)


@cache
def paper_font() -> str:
    """Register the font once per process and give its name; a missing file is named with the
    command that installs it."""
    if not FONT_FILE.is_file():
        raise FileNotFoundError(f"the papers' font {FONT_FILE.name} is missing: run `make setup`")
    pdfmetrics.registerFont(TTFont(PAPER_FONT, str(FONT_FILE)))
    return PAPER_FONT
