"""Certificates: verification codes people can type, and a PDF that says who did what, when."""

from __future__ import annotations

import dataclasses
import io
import math
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from learning import certificates
from learning.certificates import (
    CODE_ALPHABET,
    CODE_BITS,
    CODE_SYMBOLS,
    DEJAVU_SANS,
    HELVETICA,
    SOURCE_SANS,
    CertificateData,
    Typeface,
    choose_typeface,
    new_code,
    normalise_code,
    printable,
    qr_matrix,
    render_pdf,
)

CODE = "7K2Q-M9XD-4RTB-HW3N"
URL = f"https://learn.example.org/verify/{CODE}"


def make_data(**changes: object) -> CertificateData:
    data = CertificateData(
        learner_name="Siobhán Ó Briain",
        title="Safeguarding adults: recognising and responding to abuse",
        kind="module",
        completed_on=date(2026, 11, 22),
        cpd_hours=Decimal("2.5"),
        platform_name="Joint Learning",
        verification_code=CODE,
        verify_url=URL,
        organisation_name="Leeds Teaching Hospitals NHS Trust",
    )
    return dataclasses.replace(data, **changes)


def pdf_text(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


# Verification codes ----------------------------------------------------------------------


def test_a_code_holds_at_least_80_random_bits():
    bits_per_symbol = math.log2(len(CODE_ALPHABET))
    assert bits_per_symbol == 5
    assert CODE_SYMBOLS * bits_per_symbol == CODE_BITS >= 80
    symbols = new_code().replace("-", "")
    assert len(symbols) == CODE_SYMBOLS
    assert set(symbols) <= set(CODE_ALPHABET)


def test_a_code_is_printed_in_groups_of_four_without_confusable_letters():
    code = new_code()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    assert not set(code) & set("ILOU")


def test_codes_do_not_repeat_over_ten_thousand_draws():
    codes = {new_code() for _ in range(10_000)}
    assert len(codes) == 10_000


def test_every_symbol_turns_up_so_the_draw_uses_the_whole_alphabet():
    seen = set("".join(new_code() for _ in range(500)).replace("-", ""))
    assert seen == set(CODE_ALPHABET)


@pytest.mark.parametrize(
    "typed",
    [
        CODE,
        CODE.lower(),
        CODE.replace("-", ""),
        CODE.replace("-", " "),
        f"  {CODE.lower().replace('-', '')}  ",
        "7k2q m9xd 4rtb hw3n",
        "7K2Q\u2013M9XD\u20134RTB\u2013HW3N",  # en dashes, as pasted from a document
        "7K 2Q-M9 XD-4R TB-HW 3N",
    ],
)
def test_a_typed_code_matches_the_printed_one(typed):
    assert normalise_code(typed) == CODE


def test_letters_that_look_like_digits_are_read_as_digits():
    assert normalise_code("1O1L-0000-0000-000I") == "1011-0000-0000-0001"


def test_a_fresh_code_normalises_to_itself():
    for _ in range(100):
        code = new_code()
        assert normalise_code(code) == code
        assert normalise_code(code.lower().replace("-", " ")) == code


@pytest.mark.parametrize(
    "typed", ["", "   ", "7K2Q-M9XD-4RTB", CODE + "-A", "7K2Q-M9XD-4RTB-HW3U", "🙂" * 16]
)
def test_something_that_cannot_be_a_code_normalises_to_nothing(typed):
    assert normalise_code(typed) == ""


# What the certificate says -----------------------------------------------------------------


def test_the_certificate_is_a_pdf_of_reasonable_size():
    pdf = render_pdf(make_data())
    assert pdf.startswith(b"%PDF-")
    assert 3_000 < len(pdf) < 300_000


def test_the_certificate_names_the_learner_what_when_and_the_code():
    text = pdf_text(render_pdf(make_data()))
    for expected in (
        "Joint Learning".upper(),
        "Certificate of completion",
        "Siobhán Ó Briain",
        "of Leeds Teaching Hospitals NHS Trust",
        "has completed the module",
        "Safeguarding adults: recognising and responding to abuse",
        "22 November 2026",
        "2.5 CPD hours",
        CODE,
        f"Check this certificate at {URL}",
    ):
        assert expected in text


def test_the_organisation_line_is_left_out_when_there_is_none():
    text = pdf_text(render_pdf(make_data(organisation_name=None)))
    assert "Siobhán Ó Briain" in text
    assert "Leeds" not in text


@pytest.mark.parametrize("kind", ["module", "scenario", "cohort programme"])
def test_the_certificate_says_what_kind_of_learning_was_completed(kind):
    assert f"has completed the {kind}" in pdf_text(render_pdf(make_data(kind=kind)))


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        make_data(kind="webinar")


@pytest.mark.parametrize(
    ("hours", "printed"),
    [
        (1, "1 CPD hour"),
        (Decimal("1.50"), "1.5 CPD hours"),
        (0.25, "0.25 CPD hours"),
        (3, "3 CPD hours"),
    ],
)
def test_cpd_hours_are_printed_without_trailing_zeros(hours, printed):
    assert certificates.hours_text(hours) == printed


def test_the_date_is_written_the_uk_way():
    assert certificates.long_date(date(2026, 3, 5)) == "5 March 2026"


def test_the_pdf_metadata_names_the_certificate_and_the_platform():
    metadata = PdfReader(io.BytesIO(render_pdf(make_data()))).metadata
    assert metadata.title == (
        "Certificate of completion: Safeguarding adults: recognising and responding to abuse"
    )
    assert metadata.author == "Joint Learning"


def test_a_very_long_name_and_title_still_render():
    name = "Anna-Maria Konstantinopoulou-Featherstonehaugh de la Cruz Vasquez-Ó Súilleabháin"
    title = "Information sharing across health, social care and housing: " * 4
    text = pdf_text(render_pdf(make_data(learner_name=name, title=title.strip())))
    assert CODE in text
    assert "Featherstonehaugh" in text


# The QR code -----------------------------------------------------------------------------


def drawn_qr(pdf: bytes) -> list[list[bool]]:
    """The QR code read back from the page: the filled rectangles are its runs of dark modules."""
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data().decode("latin-1")
    rects = [
        tuple(float(n) for n in match.groups())
        for match in re.finditer(r"([\d.-]+) ([\d.-]+) ([\d.-]+) ([\d.-]+) re f\b", content)
    ]
    module = -rects[0][3]
    left = min(x for x, _, _, _ in rects)
    top = max(y for _, y, _, _ in rects)
    size = round((max(x + w for x, _, w, _ in rects) - left) / module)
    grid = [[False] * size for _ in range(size)]
    for x, y, w, _ in rects:
        row, col = round((top - y) / module), round((x - left) / module)
        for c in range(col, col + round(w / module)):
            grid[row][c] = True
    return grid


def test_the_qr_code_on_the_page_is_the_one_for_the_verify_url():
    drawn = drawn_qr(render_pdf(make_data()))
    assert drawn == [list(row) for row in qr_matrix(URL)]
    assert drawn != [list(row) for row in qr_matrix(URL.replace("7K2Q", "7K2R"))]


def test_the_qr_matrix_is_segnos_encoding_of_the_url():
    import segno

    expected = segno.make(URL, error="m", micro=False)
    matrix = qr_matrix(URL)
    assert len(matrix) == len(expected.matrix)
    assert [[int(m) for m in row] for row in matrix] == [
        [1 if m else 0 for m in row] for row in expected.matrix
    ]


def test_the_qr_code_and_the_url_are_links_to_the_verify_page():
    page = PdfReader(io.BytesIO(render_pdf(make_data()))).pages[0]
    uris = {a.get_object()["/A"]["/URI"] for a in page["/Annots"]}
    assert uris == {URL}


# Typefaces and names beyond Latin-1 --------------------------------------------------------


def test_the_packaged_source_sans_font_is_chosen_first():
    assert SOURCE_SANS.available, "font-source-sans-pro is a dependency; is it installed?"
    assert choose_typeface() == SOURCE_SANS


def test_a_typeface_whose_files_are_missing_is_passed_over():
    missing = Typeface("Nowhere", Path("/nowhere/Regular.ttf"), Path("/nowhere/Bold.ttf"))
    assert choose_typeface([missing, HELVETICA]) == HELVETICA
    assert choose_typeface([missing]) == HELVETICA
    assert choose_typeface([missing, SOURCE_SANS]) == SOURCE_SANS


NAMES = ["Zoë Łukasiewicz", "Siobhán Ó Briain", "Nguyễn Thị Ánh", "Αλέξανδρος Παπαδόπουλος",
         "Дмитрий Иванов", "Ağaoğlu Şahin"]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_names_beyond_latin_1_are_printed_as_written(name):
    assert all(SOURCE_SANS.covers(c) for c in name if not c.isspace())
    assert name in pdf_text(render_pdf(make_data(learner_name=name)))


@pytest.mark.skipif(not DEJAVU_SANS.available, reason="Debian's fonts-dejavu-core is not installed")
def test_dejavu_sans_prints_names_beyond_latin_1_too():
    text = pdf_text(render_pdf(make_data(learner_name="Zoë Łukasiewicz"), typeface=DEJAVU_SANS))
    assert "Zoë Łukasiewicz" in text


def test_helvetica_transliterates_what_latin_1_cannot_hold():
    pdf = render_pdf(
        make_data(learner_name="Zoë Łukasiewicz", title="Working together – “Making it real”"),
        typeface=HELVETICA,
    )
    text = pdf_text(pdf)
    assert "Zoë Lukasiewicz" in text
    assert 'Working together - "Making it real"' in text
    assert CODE in text


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("Zoë Łukasiewicz", "Zoë Lukasiewicz"),
        ("Nguyễn Thị Ánh", "Nguyen Thi Ánh"),
        ("Ağaoğlu Şahin", "Agaoglu Sahin"),
        ("Œdipus", "OEdipus"),
        ("李小龙", "???"),
        ("Zoë\tŁukasiewicz\n", "Zoë Lukasiewicz"),
    ],
)
def test_characters_a_typeface_lacks_get_the_nearest_spelling(typed, printed):
    assert printable(typed, HELVETICA) == printed


def test_a_script_no_typeface_holds_still_renders_with_question_marks():
    text = pdf_text(render_pdf(make_data(learner_name="李小龙")))
    assert "???" in text
    assert CODE in text
