"""Certificates of completion: verification codes and the PDF, pure (no Flask, no database).

A certificate carries a random verification code and a QR code that opens the public
``/verify/<code>`` page. Codes use Crockford's base32 (digits and capitals without I, L, O, U):
16 symbols of 5 bits each, 80 bits from :mod:`secrets`, printed in groups of four
(``7K2Q-M9XD-4RTB-HW3N``). :func:`normalise_code` turns whatever a person typed back into
that form.

The PDF is drawn with fpdf2 and segno in the first typeface available, in this order:

1. Source Sans Pro, shipped by the ``font-source-sans-pro`` package (a dependency): Latin
   with its extensions and Vietnamese, Greek and Cyrillic;
2. DejaVu Sans from Debian's ``fonts-dejavu-core``, if that package is installed;
3. Helvetica, a core PDF font that needs no file but covers Latin-1 only.

Characters that the typeface lacks are transliterated (``Ł`` -> ``L``, ``’`` -> ``'``) rather
than dropped, and ``?`` stands for any that cannot be (a name in Chinese script, say).
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

import segno
from fontTools.ttLib import TTFont

if TYPE_CHECKING:
    from fpdf import FPDF

# Verification codes ----------------------------------------------------------------------

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
CODE_SYMBOLS = 16
CODE_GROUP = 4
CODE_BITS = CODE_SYMBOLS * (len(CODE_ALPHABET).bit_length() - 1)  # 16 x 5 = 80

# Letters people type for the digits they look like, and dash-like characters pasted in.
_TYPED_FOR = str.maketrans({"O": "0", "I": "1", "L": "1"})
_IGNORED = frozenset("-_\u2010\u2011\u2012\u2013\u2014\u2212")


def new_code() -> str:
    """A fresh verification code: 80 random bits as 16 base32 symbols, e.g. ``7K2Q-M9XD-...``.

    Each symbol is drawn uniformly from 32 (5 bits), so a code holds 16 x 5 = 80 bits.
    """
    symbols = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_SYMBOLS))
    return _grouped(symbols)


def normalise_code(text: str) -> str:
    """The code as :func:`new_code` prints it, from however it was typed; "" if it cannot be one.

    Case, spaces and dashes are ignored, and O, I and L are read as 0, 1 and 1.
    """
    symbols = "".join(c for c in text.upper() if not c.isspace() and c not in _IGNORED)
    symbols = symbols.translate(_TYPED_FOR)
    if len(symbols) != CODE_SYMBOLS or any(c not in CODE_ALPHABET for c in symbols):
        return ""
    return _grouped(symbols)


def _grouped(symbols: str) -> str:
    return "-".join(symbols[i : i + CODE_GROUP] for i in range(0, len(symbols), CODE_GROUP))


# What a certificate says -----------------------------------------------------------------

Kind = Literal["module", "scenario", "cohort programme"]
KINDS: tuple[str, ...] = get_args(Kind)


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on one certificate."""

    learner_name: str
    title: str
    kind: Kind
    completed_on: date
    cpd_hours: Decimal | float
    platform_name: str
    verification_code: str
    verify_url: str
    organisation_name: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; expected one of {', '.join(KINDS)}")


def long_date(day: date) -> str:
    """A date as people write it in the UK: ``22 November 2026``."""
    return f"{day.day} {day:%B} {day.year}"


def hours_text(hours: Decimal | float) -> str:
    """CPD hours without trailing zeros: ``1 CPD hour``, ``2.5 CPD hours``."""
    text = f"{Decimal(str(hours)):.2f}".rstrip("0").rstrip(".")
    return f"{text} CPD hour" + ("" if text == "1" else "s")


# Typefaces -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Typeface:
    """A family to print in: TrueType files to embed, or a core PDF font when both are None."""

    name: str
    regular: Path | None
    bold: Path | None

    @property
    def is_core(self) -> bool:
        """Whether this is a core PDF font (Latin-1 only, nothing embedded)."""
        return self.regular is None

    @property
    def available(self) -> bool:
        """Whether the font files are on this machine."""
        if self.regular is None or self.bold is None:
            return self.is_core
        return self.regular.is_file() and self.bold.is_file()

    def covers(self, char: str) -> bool:
        """Whether the typeface has a glyph for ``char``."""
        if self.regular is None:
            return ord(char) < 256
        return ord(char) in _cmap(self.regular)


def _package_folder(package: str) -> Path:
    """Where an installed package keeps its files (a folder that is absent if it is not)."""
    spec = find_spec(package)
    if spec is None or spec.origin is None:
        return Path(__file__).parent / "_missing" / package
    return Path(spec.origin).parent


_SOURCE_SANS = _package_folder("font_source_sans_pro") / "files"
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

SOURCE_SANS = Typeface(
    "Source Sans Pro",
    _SOURCE_SANS / "SourceSansPro-Regular.ttf",
    _SOURCE_SANS / "SourceSansPro-Bold.ttf",
)
DEJAVU_SANS = Typeface("DejaVu Sans", _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf")
HELVETICA = Typeface("Helvetica", None, None)
TYPEFACES = (SOURCE_SANS, DEJAVU_SANS, HELVETICA)


def choose_typeface(candidates: Iterable[Typeface] = TYPEFACES) -> Typeface:
    """The first of ``candidates`` whose files are present; Helvetica if none is."""
    return next((t for t in candidates if t.available), HELVETICA)


@cache
def _cmap(path: Path) -> frozenset[int]:
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


# Letters that Unicode does not decompose into a base letter and a mark.
_SPELLED = {
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ŧ": "T", "ŧ": "t",
    "Œ": "OE", "œ": "oe", "Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "ß": "ss", "Þ": "Th",
    "þ": "th", "Ð": "D", "ð": "d", "‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"',
    "–": "-", "—": "-", "‐": "-", "‑": "-", "…": "...", "•": "-", "\u00a0": " ",
}  # fmt: skip


def printable(text: str, typeface: Typeface) -> str:
    """``text`` on one line, each character the typeface lacks spelled near enough, or ``?``."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return "".join(c if typeface.covers(c) else _nearest(c, typeface) for c in text)


def _nearest(char: str, typeface: Typeface) -> str:
    spelled = _SPELLED.get(char)
    if spelled is not None and all(typeface.covers(c) for c in spelled):
        return spelled
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base and all(typeface.covers(c) for c in base):
        return base
    return "?"


# The PDF ---------------------------------------------------------------------------------

_INK = (11, 12, 12)
_ACCENT = (29, 112, 184)
_QUIET = (80, 90, 95)
_PAGE_W, _PAGE_H = 297.0, 210.0
_MARGIN = 28.0
_TEXT_W = _PAGE_W - 2 * _MARGIN
_QR_SIZE = 36.0


def render_pdf(data: CertificateData, *, typeface: Typeface | None = None) -> bytes:
    """The certificate as an A4 landscape PDF, in ``typeface`` or the best one available."""
    # Imported here, not at the top: fpdf2 takes a fifth of a second to import, and every
    # worker and command would pay that at start-up for a PDF that few requests make.
    from fpdf import FPDF

    face = typeface or choose_typeface()

    def say(text: str) -> str:
        return printable(text, face)

    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(False)
    pdf.set_title(f"Certificate of completion: {data.title}")
    pdf.set_author(data.platform_name)
    pdf.set_subject(f"{data.learner_name}, {data.kind} completed on {long_date(data.completed_on)}")
    pdf.set_creator(data.platform_name)
    pdf.set_lang("en-GB")
    family = "helvetica"
    if face.regular is not None and face.bold is not None:
        family = "certificate"
        pdf.add_font(family, "", face.regular)
        pdf.add_font(family, "B", face.bold)
    pdf.add_page()
    pdf.set_text_color(*_INK)

    _frame(pdf)

    def line(text: str, size: float, *, bold: bool = False, colour=_INK, gap: float = 0) -> None:
        pdf.set_font(family, "B" if bold else "", size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(_TEXT_W, size * 0.45, say(text), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_y(30)
    line(data.platform_name.upper(), 12, bold=True, colour=_ACCENT, gap=6)
    line("Certificate of completion", 30, bold=True, gap=11)
    line("This is to certify that", 13, colour=_QUIET, gap=4)
    pdf.set_font(family, "B", _fitting_size(pdf, say(data.learner_name), family, 34, 18))
    pdf.set_text_color(*_INK)
    pdf.cell(_TEXT_W, 16, say(data.learner_name), align="C", new_x="LMARGIN", new_y="NEXT")
    if data.organisation_name:
        line(f"of {data.organisation_name}", 13, colour=_QUIET)
    pdf.ln(7)
    line(f"has completed the {data.kind}", 13, colour=_QUIET, gap=3)
    line(data.title, 20, bold=True, gap=5)
    line(f"on {long_date(data.completed_on)}  \u00b7  {hours_text(data.cpd_hours)}", 13)

    qr_top = _PAGE_H - _MARGIN - _QR_SIZE + 6
    pdf.set_draw_color(*_ACCENT)
    pdf.set_line_width(0.3)
    pdf.line(_MARGIN, qr_top - 5, _PAGE_W - _MARGIN, qr_top - 5)
    pdf.set_xy(_MARGIN, qr_top + 2)
    pdf.set_font(family, "", 10)
    pdf.set_text_color(*_QUIET)
    pdf.cell(0, 5, "Verification code", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 18)
    pdf.set_text_color(*_INK)
    pdf.cell(0, 10, say(data.verification_code), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    pdf.multi_cell(
        _TEXT_W - _QR_SIZE - 10,
        5,
        say(f"Check this certificate at {data.verify_url}"),
        link=data.verify_url,
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _draw_qr(pdf, data.verify_url, _PAGE_W - _MARGIN - _QR_SIZE, qr_top, _QR_SIZE)
    return bytes(pdf.output())


def _frame(pdf: FPDF) -> None:
    """A double rule around the page, heavy outside and fine inside."""
    pdf.set_draw_color(*_ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, _PAGE_W - 20, _PAGE_H - 20, style="D")
    pdf.set_line_width(0.3)
    pdf.rect(13.5, 13.5, _PAGE_W - 27, _PAGE_H - 27, style="D")


def _fitting_size(pdf: FPDF, text: str, family: str, largest: float, smallest: float) -> float:
    """The largest bold size, down to ``smallest``, at which ``text`` fits on one line."""
    size = largest
    while size > smallest:
        pdf.set_font(family, "B", size)
        if pdf.get_string_width(text) <= _TEXT_W:
            break
        size -= 1
    return size


def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code for ``url`` as rows of dark (True) and light modules, without quiet zone."""
    qr = segno.make(url, error="m", micro=False)
    return tuple(tuple(bool(m) for m in row) for row in qr.matrix)


def _draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code as filled rectangles, one per run of dark modules in a row, and a link.

    Vectors stay sharp when printed; the quiet zone is the white page around ``size``.
    """
    matrix = qr_matrix(url)
    module = size / len(matrix)
    with pdf.local_context(fill_color=_INK):
        for r, row in enumerate(matrix):
            c = 0
            while c < len(row):
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + start * module, y + r * module, (c - start) * module, module, "F")
    pdf.link(x, y, size, size, url)
