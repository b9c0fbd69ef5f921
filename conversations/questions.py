"""Questions a citizen may ask at any step (fees, hours, address, documents…) and their answers.

A question is recognised by keywords, matched as whole words after folding case, accents and
punctuation. A keyword is a phrase ("jam buka"), alternatives ("alamat|lokasi") or parts that
must all appear, in any order ("syarat|dokumen + anak|bayi"). Its score is the number of words
it matched; the question with the best keyword wins (ties: more keywords matched, then the
earlier question), so "syarat ... anak" gets the children's answer, not the generic one.
Indonesian suffixes -nya, -kah and -lah are ignored ("biayanya", "dimanakah").
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote_plus

from conversations.hours import OfficeHours, hours_text

# What an answer's text may contain: filled in from the office when the answer is sent.
PLACEHOLDERS = ("office", "address", "hours", "fees", "map")
SUFFIXES = ("nya", "kah", "lah")
NO_FEES = {"id": "belum ada data biaya", "en": "no fees on record"}
MAPS_URL = "https://maps.google.com/?q="


@dataclass(frozen=True)
class Question:
    """A question an office answers: its keywords (any language) and its answer by language."""

    key: str
    keywords: tuple[str, ...]
    texts: Mapping[str, str]  # lang -> text, with PLACEHOLDERS


@dataclass(frozen=True)
class Fee:
    """A passport fee; a later entry of the same key replaces it from its effective date."""

    key: str
    label: Mapping[str, str]  # lang -> label
    amount: int  # Rupiah
    effective: dt.date


# --- recognising a question ------------------------------------------------------------------

Phrase = tuple[str, ...]
Keyword = tuple[tuple[Phrase, ...], ...]  # parts, each a choice of phrases


def fold(text: str) -> str:
    """Return text as lower-case ASCII words separated by single spaces."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


@functools.lru_cache(maxsize=4096)
def parse_keyword(keyword: str) -> Keyword:
    """Read "a b|c + d" into its parts and phrases; raise ValueError if a part or phrase is empty."""
    parts = []
    for part in keyword.split("+"):
        phrases = tuple(tuple(fold(phrase).split()) for phrase in part.split("|"))
        if not phrases or any(not phrase for phrase in phrases):
            raise ValueError(f"keyword {keyword!r} has an empty phrase (around '+' or '|')")
        parts.append(phrases)
    return tuple(parts)


def _words(tokens: Sequence[str]) -> list[frozenset[str]]:
    """Return, for each token, the words it may be: itself, or a word with a suffix ("biayanya")."""
    return [
        frozenset({token, *(token[: -len(end)] for end in SUFFIXES if token.endswith(end) and token != end)})
        for token in tokens
    ]


def _phrase_in(phrase: Phrase, words: Sequence[frozenset[str]], seen: frozenset[str]) -> bool:
    if phrase[0] not in seen:  # most phrases of most keywords: not a word of the message at all
        return False
    size = len(phrase)
    return any(all(phrase[j] in words[i + j] for j in range(size)) for i in range(len(words) - size + 1))


def keyword_score(keyword: str, text: str) -> int:
    """Return how many words of text the keyword matched, 0 when it does not match."""
    words = _words(fold(text).split())
    return _score(keyword, words, frozenset().union(*words))


def _score(keyword: str, words: Sequence[frozenset[str]], seen: frozenset[str]) -> int:
    score = 0
    for phrases in parse_keyword(keyword):
        best = max((len(phrase) for phrase in phrases if _phrase_in(phrase, words, seen)), default=0)
        if not best:
            return 0
        score += best
    return score


def find_question(text: str, questions: Sequence[Question]) -> Question | None:
    """Return the question the message asks, the most specific one, or None if it asks none."""
    words = _words(fold(text).split())
    seen = frozenset().union(*words)
    best: tuple[int, int, int] | None = None
    found = None
    for position, question in enumerate(questions):
        scores = [s for s in (_score(k, words, seen) for k in question.keywords) if s]
        if not scores:
            continue
        rank = (max(scores), sum(scores), -position)
        if best is None or rank > best:
            best, found = rank, question
    return found


# --- answering ---------------------------------------------------------------------------------


def check_text(text: str) -> None:
    """Raise ValueError if text uses a placeholder other than PLACEHOLDERS, or a stray brace."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        raise ValueError(f"badly placed brace ({error}); placeholders are {_placeholder_list()}") from None
    for name in names:
        if name not in PLACEHOLDERS:
            raise ValueError(f"unknown placeholder {{{name}}}; placeholders are {_placeholder_list()}")


def _placeholder_list() -> str:
    return ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)


def rupiah(amount: int, lang: str) -> str:
    """Return "Rp350.000" (id) or "Rp350,000" (en)."""
    grouped = f"{amount:,}"
    return "Rp" + (grouped if lang == "en" else grouped.replace(",", "."))


def fees_in_force(fees: Sequence[Fee], today: dt.date) -> tuple[Fee, ...]:
    """Return, for each key, the fee with the latest effective date on or before today, in the given order."""
    current: dict[str, tuple[int, Fee]] = {}
    for position, fee in enumerate(fees):
        if fee.effective <= today and (fee.key not in current or fee.effective >= current[fee.key][1].effective):
            current[fee.key] = (position, fee)
    return tuple(fee for _, fee in sorted(current.values(), key=lambda pair: pair[0]))


def fees_text(fees: Sequence[Fee], lang: str, today: dt.date) -> str:
    """Return the fees in force today: "Biasa 5 th Rp350.000, Biasa 10 th Rp650.000, …"."""
    shown = [f"{_in(fee.label, lang) or fee.key} {rupiah(fee.amount, lang)}" for fee in fees_in_force(fees, today)]
    return ", ".join(shown) or NO_FEES.get(lang, NO_FEES["id"])


def map_link(address: str | None) -> str | None:
    """Return a Google Maps search link for an address, or None without one."""
    return MAPS_URL + quote_plus(address) if address else None


def answer_text(
    question: Question,
    lang: str,
    *,
    office: str,
    address: str | None,
    hours: OfficeHours,
    fees: Sequence[Fee],
    today: dt.date,
    map_url: str | None = None,
) -> str:
    """Return the question's answer in lang (else Indonesian), its placeholders filled in.

    {map} is the office's map_url, else a map search for its address; a value missing is "-".
    """
    values = {
        "office": office,
        "address": address or "-",
        "hours": hours_text(hours, lang),
        "fees": fees_text(fees, lang, today),
        "map": map_url or map_link(address) or "-",
    }
    return string.Formatter().vformat(_in(question.texts, lang), (), _Values(values))


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _in(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("id") or next(iter(texts.values()), "")


# --- the defaults ------------------------------------------------------------------------------

# What the bot answers for an office whose file has no [[office.faq]]; hotline/offices/default.toml
# writes the same entries out (a test keeps the two equal) for an office to copy and change.
_DOCS_ID = "syarat|persyaratan|dokumen|berkas|dibawa|bawa apa|apa yang dibawa"
_DOCS_EN = "documents|document|requirements|requirement|bring|what do i need|what i need"
_DOCS = f"{_DOCS_ID}|{_DOCS_EN}"
_WHAT_TO_DO = "bagaimana|gimana|gmn|harus apa|apa yang harus|what should|what do i do|what to do|what now"

DEFAULT_QUESTIONS: tuple[Question, ...] = (
    Question(
        key="fees",
        keywords=(
            "biaya",
            "harga",
            "tarif",
            "ongkos",
            "pnbp",
            "bayar",
            "pembayaran",
            "denda",
            "berapa|brp + rupiah|rp|duit|uang|bayar",
            "how much",
            "cost|costs|fee|fees|price|prices|pay|payment|fines",
        ),
        texts={
            "id": "Biaya paspor: {fees}. Denda: hilang Rp1.000.000, rusak Rp500.000.",
            "en": "Fees: {fees}. Fines: lost Rp1,000,000, damaged Rp500,000.",
        },
    ),
    Question(
        key="hours",
        keywords=(
            "jam buka|jam tutup|jam kerja|jam kantor|jam operasional|jam pelayanan|jam layanan",
            "buka|tutup + jam|pukul|kapan|hari apa|hari|sabtu|minggu|besok|hari ini|sekarang|libur",
            "masih buka|sudah buka|lagi buka",
            "opening hours|office hours|business hours|working hours|opening times|are you open",
            "open|opens|close|closes + when|what time|today|tomorrow|saturday|sunday|now|hours|office",
        ),
        texts={
            "id": "Jam layanan: {hours}. Tutup juga pada hari libur nasional dan cuti bersama.",
            "en": "Office hours: {hours}. Also closed on public holidays and cuti bersama (collective leave).",
        },
    ),
    Question(
        key="address",
        keywords=(
            "alamat|lokasi|peta|maps|map|google maps|sharelok|share loc|share location|letak kantor|rute",
            "dimana|di mana|dmn|mana + kantor|alamat|lokasi|tempat|tempatnya",
            "kantor + dimana|di mana|dmn",
            "address|location|directions|how to get",
            "where + office|located|is it|are you",
        ),
        texts={
            "id": "Alamat {office}: {address}. Peta: {map}",
            "en": "{office}: {address}. Map: {map}",
        },
    ),
    Question(
        key="walk_in",
        keywords=(
            "walk in|walkin|go show|langsung datang|datang langsung",
            "tanpa + booking|daftar|pendaftaran|antre|antri|antrean|antrian|janji|online|jadwal"
            "|m paspor|mpaspor|aplikasi",
            "prioritas|lansia|disabilitas|difabel|kursi roda",
            "without + booking|appointment|registration|app",
            "no appointment|no booking|priority|elderly|disabled|disability|wheelchair",
        ),
        texts={
            "id": "Tanpa booking tidak dilayani, kecuali layanan prioritas: lansia 60+, anak di bawah 5 tahun "
            "dan penyandang disabilitas. Lainnya balas PESAN.",
            "en": "We serve no one without a booking, except the priority service: the elderly (60+), children "
            "under 5 and the disabled. Others reply BOOK.",
        },
    ),
    Question(
        key="children",
        keywords=(
            f"{_DOCS} + anak|paspor anak|anak anak|bayi|balita|child|children|kid|kids|baby|son|daughter",
            "bawah umur|di bawah umur|underage|under age|minor|minors",
            "anak + bawah umur|di bawah umur",
            "orang tua|ortu + ikut|datang|hadir|harus",
            "parent|parents + come|present|attend|must",
        ),
        texts={
            "id": "Paspor anak: KTP ayah dan ibu, KK, akta lahir anak, surat pernyataan kedua orang tua. "
            "Orang tua yang booking untuk anak dan ikut datang.",
            "en": "Child's passport: both parents' KTP, KK, the child's birth certificate, a statement from both "
            "parents. A parent books for the child and comes along.",
        },
    ),
    Question(
        key="documents_new",
        keywords=(f"{_DOCS} + baru|pertama|bikin|new|first",),
        texts={
            "id": "Paspor baru: e-KTP, KK, dan akta lahir/ijazah/buku nikah/surat baptis (asli).",
            "en": "New passport: e-KTP, KK, and birth certificate/diploma/marriage book/baptism letter (originals).",
        },
    ),
    Question(
        key="documents_renewal",
        keywords=(
            f"{_DOCS} + perpanjang|perpanjangan|memperpanjang|ganti|penggantian|habis|expired"
            "|renew|renewal|renewing|replace|replacement",
        ),
        texts={
            "id": "Perpanjang/ganti paspor: e-KTP dan paspor lama (asli).",
            "en": "Passport renewal: e-KTP and your old passport (originals).",
        },
    ),
    Question(
        key="documents_lost",
        keywords=(f"{_DOCS}|{_WHAT_TO_DO} + hilang|kehilangan|lost",),
        texts={
            "id": "Paspor hilang: e-KTP, KK, surat kehilangan dari polisi. Ada wawancara (BAP), denda Rp1.000.000.",
            "en": "Lost passport: e-KTP, KK, a police loss report. An interview (BAP) follows; fine Rp1,000,000.",
        },
    ),
    Question(
        key="documents_damaged",
        keywords=(f"{_DOCS}|{_WHAT_TO_DO} + rusak|sobek|basah|damaged|damage|broken|torn",),
        texts={
            "id": "Paspor rusak: e-KTP, KK, paspor yang rusak. Ada wawancara (BAP), denda Rp500.000 "
            "(bebas bila karena bencana, dengan surat resmi).",
            "en": "Damaged passport: e-KTP, KK, the damaged passport. An interview (BAP) follows; fine Rp500,000 "
            "(waived for a disaster, with an official letter).",
        },
    ),
    Question(
        key="documents",
        keywords=(_DOCS,),
        texts={
            "id": "Syarat (asli): BARU e-KTP, KK, akta lahir/ijazah/buku nikah/surat baptis. PERPANJANG e-KTP, "
            "paspor lama. HILANG e-KTP, KK, surat polisi. RUSAK e-KTP, KK, paspor rusak. Anak: tanya syarat anak.",
            "en": "Documents (originals): NEW e-KTP, KK, birth certificate/diploma/marriage book/baptism letter. "
            "RENEWAL e-KTP, old passport. LOST e-KTP, KK, police report. DAMAGED e-KTP, KK, the passport. "
            "Child: ask child documents.",
        },
    ),
    Question(
        key="processing",
        keywords=(
            "berapa lama|brp lama|lama proses|lama pembuatan|waktu proses|waktu penyelesaian",
            "berapa hari|brp hari + jadi|selesai|proses|jadinya|paspor",
            "kapan + jadi|selesai|jadinya|diambil|bisa diambil",
            "how long|processing time|how many days",
            "when + ready|collect|pick up",
        ),
        texts={
            "id": "Paspor selesai sekitar 3 hari kerja setelah permohonan diproses di kantor "
            "(hari libur tidak dihitung).",
            "en": "A passport takes about 3 working days after the application is processed at the office.",
        },
    ),
)

# The fees of PP 28/2019, replaced from 17 December 2024 by those of PP 45/2024: the same key
# ("ordinary", "electronic") carries the 5-year passport on, the 10-year ones are new keys.
DEFAULT_FEES: tuple[Fee, ...] = (
    Fee("ordinary", {"id": "Biasa", "en": "Ordinary"}, 350_000, dt.date(2019, 6, 1)),
    Fee("electronic", {"id": "Elektronik", "en": "Electronic"}, 650_000, dt.date(2019, 6, 1)),
    Fee("ordinary", {"id": "Biasa 5 th", "en": "Ordinary 5 yr"}, 350_000, dt.date(2024, 12, 17)),
    Fee("ordinary_10y", {"id": "Biasa 10 th", "en": "Ordinary 10 yr"}, 650_000, dt.date(2024, 12, 17)),
    Fee("electronic", {"id": "Elektronik 5 th", "en": "Electronic 5 yr"}, 650_000, dt.date(2024, 12, 17)),
    Fee("electronic_10y", {"id": "Elektronik 10 th", "en": "Electronic 10 yr"}, 950_000, dt.date(2024, 12, 17)),
)
