"""Reading a generated bulletin PDF back with pypdf: its text and where each piece of it sits (mm)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pypdf import PdfReader

MM = 25.4 / 72


def clean(text: str) -> str:
    return re.sub(r"[\x00\s]", "", text)


@dataclass
class Piece:
    x: float  # mm from the left edge
    y: float  # baseline, mm from the top edge
    text: str


@dataclass
class Page:
    width: float
    height: float
    pieces: list[Piece]

    @property
    def text(self) -> str:
        return clean("".join(p.text for p in self.pieces))


def _pieces(page: object) -> list[Piece]:
    pieces: list[Piece] = []
    height = float(page.mediabox.height)  # type: ignore[attr-defined]

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if clean(text):
            x = tm[4] * cm[0] + cm[4]
            y = tm[5] * cm[3] + cm[5]
            pieces.append(Piece(x * MM, (height - y) * MM, clean(text)))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return pieces


def read(data: bytes) -> list[Page]:
    return [
        Page(float(page.mediabox.width) * MM, float(page.mediabox.height) * MM, _pieces(page))
        for page in PdfReader(io.BytesIO(data)).pages
    ]
