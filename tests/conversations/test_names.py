"""Tests for checking a citizen's name."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.names import PROBLEMS, NameCheck, check_name, is_greeting, name_label


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Budi Santoso", "Budi Santoso"),
        ("  budi   santoso. ", "budi santoso"),  # tidied, not title-cased
        ("BUDI SANTOSO", "BUDI SANTOSO"),
        ("Budi", "Budi"),
        ("Ani", "Ani"),
        ("Jo", "Jo"),
        ("Muhammad Ali", "Muhammad Ali"),
        ("Siti Aminah", "Siti Aminah"),
        ("I Made Wirawan", "I Made Wirawan"),  # Balinese, not "I ..." in English
        ("Ni Luh Putu Ayu", "Ni Luh Putu Ayu"),
        ("Ni Luh Putu Ayu-Dewi", "Ni Luh Putu Ayu-Dewi"),
        ("I Gusti Ngurah Bagus Made Putra", "I Gusti Ngurah Bagus Made Putra"),
        ("Anak Agung Gede Putra", "Anak Agung Gede Putra"),
        ("Dewi Mau", "Dewi Mau"),  # one sentence-ish word is not a sentence
        ("Bayu Tidak", "Bayu Tidak"),
        ("Ani Juga", "Ani Juga"),
        ("Selamat Riyadi", "Selamat Riyadi"),
        ("Selamat", "Selamat"),  # a Javanese name; "selamat pagi" is a greeting
        ("Salam", "Salam"),
        ("Bagus Pratama", "Bagus Pratama"),
        ("Yang Li Wei", "Yang Li Wei"),
        ("Tan Ay Ling", "Tan Ay Ling"),
        ("La Ode Ahmad", "La Ode Ahmad"),
        ("Wa Ode Nurul", "Wa Ode Nurul"),
        ("Cut Nyak Dien", "Cut Nyak Dien"),
        ("Siti Nurhaliza binti Tarudin", "Siti Nurhaliza binti Tarudin"),
        ("Will Smith", "Will Smith"),
        ("Can Yilmaz", "Can Yilmaz"),
        ("Tran Thi My", "Tran Thi My"),
        ("Ibu Siti", "Ibu Siti"),
        ("Thank You", "Thank You"),  # the machine's own tests use it as a name
        ("Nik Ahmad", "Nik Ahmad"),  # a Malay given name, not the NIK label
        ("Pak Min", "Pak Min"),  # family names that are also ways of calling an officer
        ("Lee Min Ho", "Lee Min Ho"),
        ("Gan", "Gan"),
        # labels
        ("Nama: Siti Aminah", "Siti Aminah"),
        ("nama saya Siti Aminah", "Siti Aminah"),
        ("Nama lengkap: Siti Aminah", "Siti Aminah"),
        ("Nama saya adalah Siti Aminah", "Siti Aminah"),
        ("My name is John Smith", "John Smith"),
        ("name: John Smith", "John Smith"),
        ("*Nama:* Budi", "Budi"),
        # punctuation of names
        ("Muh. Rizky", "Muh. Rizky"),
        ("Siti Nur’aini", "Siti Nur'aini"),
        ("Siti Nur‘aini", "Siti Nur'aini"),
        ("Siti Nurʼaini", "Siti Nur'aini"),
        ("Siti Nur`aini", "Siti Nur'aini"),
        ("Siti Nur´aini", "Siti Nur'aini"),
        ("Muhammad Al'Amin", "Muhammad Al'Amin"),
        ("O'Brien", "O'Brien"),
        ("Abdul-Rahman", "Abdul-Rahman"),
        ("Abdul – Rahman", "Abdul-Rahman"),
        ("Abdul‐Rahman", "Abdul-Rahman"),
        ("Drs. H. Ahmad, S.H.", "Drs. H. Ahmad, S.H."),
        ("Prof. Dr. Ir. H. Ahmad, M.Sc.", "Prof. Dr. Ir. H. Ahmad, M.Sc."),
        ("Ahmad , S.H.", "Ahmad, S.H."),
        ("Budi S.", "Budi S."),  # the dot of an initial stays
        ("Hj. Siti Fatimah", "Hj. Siti Fatimah"),
        ('"Budi Santoso"', "Budi Santoso"),
        ("*Budi Santoso*", "Budi Santoso"),  # WhatsApp bold
        ("_Budi Santoso_", "Budi Santoso"),
        ("~Budi Santoso~", "Budi Santoso"),
        ("Budi Santoso!!", "Budi Santoso"),
        ("Budi...", "Budi"),
        ("Budi\u00a0Santoso", "Budi Santoso"),
        ("Budi\nSantoso", "Budi Santoso"),
        # letters of any script
        ("José Núñez", "José Núñez"),
        ("Jose\u0301 Nu\u0301n\u0303ez", "José Núñez"),  # accents typed as combining marks
        ("محمد علي", "محمد علي"),
        ("陈明", "陈明"),
        ("देवी", "देवी"),
        ("Ｂｕｄｉ", "Budi"),  # full-width letters from a phone keyboard
    ],
)
def test_accepts_a_name(text: str, name: str) -> None:
    assert check_name(text) == NameCheck(name=name, problem=None, dropped=False)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Budi 😊", "Budi"),
        ("😊 Budi Santoso 🙏🏽", "Budi Santoso"),
        ("Budi😊Santoso", "Budi Santoso"),
        ("Siti ❤️", "Siti"),
        ("Budi ©", "Budi"),
        ("👨\u200d👩\u200d👧 Dewi", "Dewi"),
    ],
)
def test_drops_emoji_and_says_so(text: str, name: str) -> None:
    assert check_name(text) == NameCheck(name=name, problem=None, dropped=True)


@pytest.mark.parametrize(
    "text",
    ["Bu\u200bdi", "Budi\u200d", "Budi\ufe0f", "\ufeffBudi", "Budi\u200e"],
)
def test_invisible_marks_go_without_a_word(text: str) -> None:
    assert check_name(text) == NameCheck(name="Budi", problem=None, dropped=False)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # yes, no, ok
        ("ya", "yes_no"),
        ("Ya.", "yes_no"),
        ("tidak", "yes_no"),
        ("oke", "yes_no"),
        ("ok", "yes_no"),
        ("OK!", "yes_no"),
        ("iya", "yes_no"),
        ("yes", "yes_no"),
        ("no", "yes_no"),
        ("siap", "yes_no"),
        ("baik", "yes_no"),
        ("ya kak", "yes_no"),
        ("oke siap", "yes_no"),
        ("gak jadi", "yes_no"),
        ("no thanks", "yes_no"),
        ("\N{THUMBS UP SIGN}", "yes_no"),
        # greetings
        ("halo", "greeting"),
        ("halo kak", "greeting"),
        ("Halooo", "greeting"),
        ("hai", "greeting"),
        ("hi", "greeting"),
        ("hello", "greeting"),
        ("selamat pagi", "greeting"),
        ("Selamat siang pak", "greeting"),
        ("Good morning", "greeting"),
        ("assalamualaikum", "greeting"),
        ("Assalamu'alaikum wr wb", "greeting"),
        ("permisi", "greeting"),
        ("p", "greeting"),
        ("halo gan", "greeting"),
        ("pagi pak", "greeting"),
        ("P", "greeting"),
        ("kak", "greeting"),
        ("Om Swastiastu", "greeting"),
        # sentences
        ("saya mau perpanjang", "sentence"),
        ("mau booking", "sentence"),
        ("saya ingin daftar paspor", "sentence"),
        ("bagaimana caranya", "sentence"),
        ("I want to book", "sentence"),
        ("tolong bantu", "sentence"),
        ("mau tanya", "sentence"),
        ("bisa booking?", "sentence"),
        ("apa syaratnya", "sentence"),
        ("Budi mau tanya", "sentence"),
        ("saya Budi", "sentence"),
        ("Saya", "sentence"),
        ("ini Budi", "sentence"),
        ("aku mau", "sentence"),
        ("I am Budi", "sentence"),
        ("I'm Budi", "sentence"),
        ("I’m Budi", "sentence"),
        ("how to book", "sentence"),
        ("passport renewal", "sentence"),
        ("tidak tahu", "sentence"),
        ("belum", "sentence"),
        ("Namaku Budi", "sentence"),
        ("Nama saya Budi, saya mau perpanjang", "sentence"),
        ("mau perpanjang paspor 2 orang", "sentence"),  # the words say more than the digit
        ("untuk anak saya", "sentence"),
        # digits and symbols
        ("12345", "letters"),
        ("Budi 2", "letters"),
        ("Budi Santoso 1671014501900001", "letters"),
        ("Budi_Santoso", "letters"),
        ("Budi/Santoso", "letters"),
        ("Budi (Ucok)", "letters"),
        ("Budi & Siti", "letters"),
        ("Budi@mail.com", "letters"),
        ("Budi..Santoso", "letters"),
        ("Budi $", "letters"),
        ("Budi²", "letters"),
        # length
        ("", "length"),
        ("   ", "length"),
        ("B", "length"),
        ("B.", "length"),
        ("---", "length"),
        ("\U0001f600", "length"),
        ("Nama:", "length"),
        ("My name is", "length"),
        ("nama saya", "length"),
        ("Budi " * 30, "length"),
        ("A" * 101, "length"),
    ],
)
def test_refuses_what_is_not_a_name(text: str, problem: str) -> None:
    check = check_name(text)
    assert (check.name, check.problem) == (None, problem)


def test_says_emoji_were_dropped_from_what_is_refused() -> None:
    assert check_name("halo kak 😊") == NameCheck(None, "greeting", True)
    assert check_name("\U0001f600") == NameCheck(None, "length", True)


def test_a_name_of_100_characters_is_accepted() -> None:
    assert check_name("A" * 100) == NameCheck("A" * 100, None, False)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("My name is John Smith", "My name is "),
        ("Nama: Siti", "Nama: "),
        ("nama saya Siti", "nama saya "),
        ("Nama lengkap saya: Siti", "Nama lengkap saya: "),
        ("  name - Siti", "name - "),
        ("Budi Santoso", ""),
        ("Namaku Budi", ""),
        ("", ""),
    ],
)
def test_name_label(text: str, label: str) -> None:
    assert name_label(text) == label


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=120))
def test_check_name_never_raises_and_accepts_only_names(text: str) -> None:
    check = check_name(text)
    assert (check.name is None) != (check.problem is None)
    assert check.problem is None or check.problem in PROBLEMS
    if check.name is not None:
        assert 2 <= len(check.name) <= 100
        assert not any(ch.isdigit() for ch in check.name)
        assert check.name == check.name.strip() and "  " not in check.name
        assert sum(ch.isalpha() for ch in check.name) >= 2


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        alphabet=st.characters(categories=["Lu", "Ll", "Lo", "Mn", "Zs", "So", "Sk", "Cf"]) | st.sampled_from(".,'-’"),
        max_size=60,
    )
)
def test_an_accepted_name_is_accepted_again_as_it_is(text: str) -> None:
    check = check_name(text)
    if check.name is not None:
        assert check_name(check.name) == NameCheck(check.name, None, False)


@pytest.mark.parametrize(
    ("text", "greeting"),
    [("halo", True), ("Halooo kak", True), ("selamat pagi", True), ("P", True), ("assalamualaikum wr wb", True),
     ("selamat", False), ("Pak Min", False), ("halo saya mau booking", False), ("Budi", False), ("", False)],
)  # fmt: skip
def test_is_greeting(text, greeting):
    assert is_greeting(text) is greeting
