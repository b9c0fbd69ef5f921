"""Tests for checking, finding and masking a NIK."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.nik import NikCheck, check_nik, find_nik, mask_nik, mask_niks, read_nik, remove_nik

# Palembang (16 71 01), a woman born 5 January 1990 (45 = 5 + 40), serial 0001.
WOMAN = "1671014501900001"
# Same place, a man born 5 January 1990, serial 0123.
MAN = "1671010501900123"
# Phone keyboards may send full-width digits; NFKC turns them into ASCII ones.
FULL_WIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + n) for n in range(10)))
# Arabic-Indic digits are digits to str.isdigit() but not to the civil registry.
ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x0660 + n) for n in range(10)))


@pytest.mark.parametrize(
    ("text", "nik"),
    [
        (WOMAN, WOMAN),
        (MAN, MAN),
        ("1671 0145 0190 0001", WOMAN),
        ("1671.0145.0190.0001", WOMAN),
        ("1671-0145-0190-0001", WOMAN),
        ("16.71.01 450190 0001", WOMAN),
        ("  1671014501900001  ", WOMAN),
        ("1671014501900001\n", WOMAN),
        (WOMAN.translate(FULL_WIDTH), WOMAN),
        ("1101010101000001", "1101010101000001"),  # Aceh
        ("3171013112990001", "3171013112990001"),  # Jakarta, 31 December 1999
        ("3171017112990001", "3171017112990001"),  # a woman born 31 December 1999
        ("9701012902000001", "9701012902000001"),  # Papua Pegunungan, 29 February 2000
        ("9201012902040001", "9201012902040001"),  # Papua Barat Daya, 29 February (2004 leap)
        ("3171016902960001", "3171016902960001"),  # a woman born 29 February 1996
        ("2171010101009999", "2171010101009999"),  # Kepulauan Riau, serial 9999
    ],
)
def test_accepts_well_formed_nik(text: str, nik: str) -> None:
    assert check_nik(text) == NikCheck(nik=nik, problem=None)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "length"),
        ("   ", "length"),
        ("167101450190000", "length"),
        ("16710145019000011", "length"),
        ("1671 0145 0190 00011", "length"),
        ("1", "length"),
        ("1671O14501900001", "digits"),
        ("16710145O1900001", "digits"),  # a letter O for a zero: the digits message, not the length one
        ("1671x4501900001", "digits"),
        ("1671 0145 0190 OOO1", "digits"),
        ("1671014501900001O", "digits"),
        ("1671 0145 0190 00012", "length"),  # 17 digits: refused, never cut to 16
        ("1671 0145 0190 0001 2", "length"),
        ("1671-0145-0190-0001-0002", "length"),
        ("NIK 1671014501900001", "digits"),
        ("1671/0145/0190/0001", "digits"),
        ("1671_0145_0190_0001", "digits"),
        ("+1671014501900001", "digits"),
        (WOMAN.translate(ARABIC_INDIC), "digits"),
        ("Budi Santoso", "digits"),
        ("0071014501900001", "region"),
        ("1071014501900001", "region"),
        ("2071014501900001", "region"),
        ("2271014501900001", "region"),
        ("3771014501900001", "region"),
        ("5471014501900001", "region"),
        ("9071014501900001", "region"),
        ("9871014501900001", "region"),
        ("9971014501900001", "region"),
        ("3171010001900001", "birth_date"),  # day 00
        ("3171013201900001", "birth_date"),  # day 32
        ("3171014001900001", "birth_date"),  # day 40 (a woman's 0)
        ("3171017201900001", "birth_date"),  # day 72 (a woman's 32)
        ("3171010100900001", "birth_date"),  # month 00
        ("3171010113900001", "birth_date"),  # month 13
        ("3171013104900001", "birth_date"),  # 31 April
        ("3171017104900001", "birth_date"),  # a woman's 31 April
        ("3171013002900001", "birth_date"),  # 30 February
        ("3171012902010001", "birth_date"),  # 29 February: neither 1901 nor 2001 is a leap year
        ("1671014501900000", "serial"),
        ("0071010001900000", "region"),  # several problems: the first, left to right
        ("3171010001900000", "birth_date"),
    ],
)
def test_names_the_problem_with_a_malformed_nik(text: str, problem: str) -> None:
    assert check_nik(text) == NikCheck(nik=None, problem=problem)


@pytest.mark.parametrize(
    ("text", "nik"),
    [
        (WOMAN, WOMAN),
        ("NIK saya 1671014501900001 ya", WOMAN),
        ("Budi Santoso 1671 0145 0190 0001", WOMAN),
        ("Budi Santoso, 1671-0145-0190-0001.", WOMAN),
        ("nik:1671014501900001", WOMAN),
        ("tgl 5 1671 0145 0190 0001", WOMAN),
        ("1671014501900001 5", WOMAN),
        ("a 1671014501900001 b 1671010501900123", WOMAN),
        ("0000000000000000", "0000000000000000"),  # found here; check_nik judges the form
        ("", None),
        ("Budi Santoso", None),
        ("167101450190000", None),
        ("16710145019000011", None),
        ("08123456789", None),
        ("+62 812-3456-7890", None),
        ("1671 0145\n0190 0001", None),
        ("5/12 jam 08:00", None),
        # a day, an hour or a session before the NIK is a number of its own
        ("tgl 5-12 1671 0145 0190 0001", WOMAN),
        ("jam 10.00 1671 0145 0190 0001", WOMAN),
        ("sesi 2 1671 0145 0190 0001", WOMAN),
        ("sesi2 1671 0145 0190 0001", WOMAN),
        ("tgl 16 71 01 45 01 90 00 01", None),  # the day 16, then 14 digits
        # so is a NIK written as one block
        ("1671014501900001 2", WOMAN),
        ("2 1671014501900001", WOMAN),
        ("1671014501900001 1671010501900123", WOMAN),
        ("1671 0145 0190 0001, 2", WOMAN),
        ("NIK1671014501900001", WOMAN),
        ("ktp1671014501900001", WOMAN),
        # but groups that run on past 16 digits are one number too long, not a NIK and a rest
        ("1671 0145 0190 0001 2", None),
        ("Budi 5 1671 0145 0190 0001", None),
        ("1671 0145 0190 0001 1671 0145 0190 0002", None),
        # and a letter touching the digits may be a mistyped digit
        ("1671014501900001O", None),
        ("O1671014501900001", None),
        ("16710145O1900001", None),
    ],
)
def test_finds_nik_in_a_message(text: str, nik: str | None) -> None:
    assert find_nik(text) == nik


@pytest.mark.parametrize(
    ("nik", "masked"),
    [
        (WOMAN, "************0001"),
        (MAN, "************0123"),
        ("1234567890123456", "************3456"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_masks_all_but_the_last_four_digits(nik: str, masked: str) -> None:
    assert mask_nik(nik) == masked


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=60))
def test_check_nik_never_raises_and_is_consistent(text: str) -> None:
    check = check_nik(text)
    assert (check.nik is None) != (check.problem is None)
    if check.nik is not None:
        assert len(check.nik) == 16 and check.nik.isascii() and check.nik.isdigit()
    else:
        assert check.problem in {"length", "digits", "birth_date", "serial", "region"}


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=st.characters(categories=["Nd", "Zs", "Po", "Pd", "Ll"]), max_size=60))
def test_find_nik_never_raises_and_returns_16_digits(text: str) -> None:
    nik = find_nik(text)
    assert nik is None or (len(nik) == 16 and nik.isascii() and nik.isdigit())


@settings(max_examples=300, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_any_16_digits_get_a_verdict_and_a_mask(digits: str) -> None:
    check = check_nik(digits)
    assert check.nik in (digits, None)
    assert check.problem in {None, "birth_date", "serial", "region"}
    assert find_nik(f"NIK saya {digits[:4]} {digits[4:]}.") == digits
    assert mask_nik(digits) == "*" * 12 + digits[-4:]


# --- one finder: what the bot reads as a NIK is what the inbox and the audit log mask ---------

VALID = "1671014501900003"


@pytest.mark.parametrize(
    "written",
    [
        VALID,
        "1671 0145 0190 0003",
        "1671-0145-0190-0003",
        "1671 - 0145 - 0190 - 0003",
        "1671.0145.0190.0003",
        "16 71 01 45 01 90 00 03",
        VALID.translate(FULL_WIDTH),
    ],
)
def test_every_nik_the_bot_reads_is_masked(written):
    text = f"NIK saya {written} ya kak"
    assert find_nik(text) == VALID
    masked = mask_niks(text)
    assert "0003" in masked
    assert "167101450190" not in masked.replace(" ", "").replace("-", "").replace(".", "")
    assert find_nik(masked) is None
    assert masked.startswith("NIK saya ") and masked.endswith(" ya kak")


def test_masking_leaves_other_numbers_and_finds_two_niks():
    text = f"sesi 2, {VALID} dan 3171 0145 0190 0004, hp 081234567890"
    masked = mask_niks(text)
    assert masked == "sesi 2, ************0003 dan ************0004, hp 081234567890"


def test_remove_nik_takes_the_label_with_it():
    assert remove_nik(f"Budi Santoso NIK: {VALID}") == "Budi Santoso"
    assert remove_nik(f"{VALID}, Budi Santoso") == "Budi Santoso"
    assert remove_nik("Budi Santoso") == "Budi Santoso"


# --- a NIK of more than 16 digits is refused, never cut ---------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1671 0145 0190 00012",
        "1671 0145 0190 0001 2",
        "1 1671 0145 0190 0001",
        "1671-0145-0190-0001-2",
        "16.71.01.45.01.90.00.01.2",
        "16 71 01 45 01 90 00 01 23",
        "NIK saya 1671 0145 0190 0001 2",
        "Budi Santoso 1671 0145 0190 0001 0",
        "nik: 1671 0145 0190 0001 0002 ya",
    ],
)
def test_a_nik_of_more_than_16_digits_is_refused_never_cut(text: str) -> None:
    assert find_nik(text) is None
    # What the bot does at the NIK step: the NIK found, else the message itself.
    assert check_nik(find_nik(text) or text).nik is None
    assert read_nik(text) == NikCheck(nik=None, problem="length")


@pytest.mark.parametrize(
    ("text", "check"),
    [
        (WOMAN, NikCheck(WOMAN, None)),
        (f"NIK saya {WOMAN} ya", NikCheck(WOMAN, None)),
        ("NIK: 1671 0145 0190 0001", NikCheck(WOMAN, None)),
        ("tgl 5 1671 0145 0190 0001", NikCheck(WOMAN, None)),
        ("NIK saya 9971014501900001", NikCheck(None, "region")),
        ("nik saya 1671 0145 0190 000", NikCheck(None, "length")),
        ("NIK saya 16710145O1900001 ya", NikCheck(None, "digits")),
        ("nik: 1671x4501900001", NikCheck(None, "digits")),
        ("NIK 1671 0145 0190 OOO1.", NikCheck(None, "digits")),
        ("NIK saya 1671014501900001O", NikCheck(None, "digits")),
        ("08123456789", NikCheck(None, "length")),
        ("tgl 16 71 01 45 01 90 00 01", NikCheck(None, "length")),  # not read as a NIK, so not one
        ("tidak tahu", NikCheck(None, "digits")),
        ("tgl 5", NikCheck(None, "digits")),
        ("", NikCheck(None, "length")),
    ],
)
def test_read_nik_names_what_is_wrong_with_the_nik_in_a_message(text: str, check: NikCheck) -> None:
    assert read_nik(text) == check


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("NIK saya 1671 0145 0190 0001 2 ya", "NIK saya *************0012 ya"),
        ("16710145019000012", "*************0012"),
        ("1671014501900001O", "************0001O"),
        ("hp 081234567890, tgl 5", "hp 081234567890, tgl 5"),
    ],
)
def test_a_number_longer_than_a_nik_is_masked_too(text: str, masked: str) -> None:
    assert mask_niks(text) == masked
    assert find_nik(mask_niks(text)) is None


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(categories=["Nd", "Zs", "Pd", "Ll"]) | st.sampled_from(".:"), max_size=60))
def test_read_nik_takes_only_what_find_nik_sees(text: str) -> None:
    check = read_nik(text)
    assert (check.nik is None) != (check.problem is None)
    assert check.nik is None or check.nik == find_nik(text)
    if find_nik(text) is None:
        assert check.nik is None
