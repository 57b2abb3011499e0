"""The health code as a person shows it: a QR image of the code's token, in the code's colour.

Segno draws it (SVG for pages, PNG for paper codes and phones); error correction M survives a
scratched print or a cracked screen, and a checkpoint's scanner reads the token back."""

from __future__ import annotations

import io

import segno

# The modules' colour: the code's own (dark enough for a scanner to read on white).
COLOURS = {"green": "#0a7a2f", "yellow": "#b08500", "red": "#c0141c"}


def _qr(token: str) -> segno.QRCode:
    return segno.make_qr(token, error="m")


def qr_svg(token: str, colour: str, *, title: str) -> str:
    """An inline <svg> element; `title` is what a screen reader says."""
    out = io.BytesIO()
    _qr(token).save(
        out, kind="svg", scale=6, border=2, dark=COLOURS.get(colour, "#000"),
        xmldecl=False, svgns=True, title=title, svgclass="code-qr", lineclass=None,
    )  # fmt: skip
    return out.getvalue().decode()


def qr_png(token: str, colour: str) -> bytes:
    out = io.BytesIO()
    _qr(token).save(out, kind="png", scale=8, border=2, dark=COLOURS.get(colour, "#000"))
    return out.getvalue()
