"""How the machine reads a citizen's words: keywords, yes and no, choices, language."""

from __future__ import annotations

import re
import unicodedata

KEYWORDS: dict[str, str] = {}
for _keyword, _words in {
    "menu": ("MENU", "MULAI ULANG", "KEMBALI", "BACK"),
    "book": ("PESAN", "DAFTAR", "BOOK", "BOOKING", "ANTRE", "ANTREAN", "ANTRIAN"),
    "cancel": ("BATAL", "CANCEL", "BATALKAN"),
    "status": ("CEK", "STATUS", "CHECK", "CEK BOOKING", "CEK JADWAL", "CEK STATUS"),
    "move": ("UBAH", "RESCHEDULE", "CHANGE", "GANTI JADWAL", "UBAH JADWAL"),
    "documents": ("SYARAT", "DOCUMENTS", "DOKUMEN", "REQUIREMENTS", "PERSYARATAN"),
    "agent": ("PETUGAS", "AGENT", "OFFICER", "HUMAN", "OPERATOR", "CS", "ADMIN"),
    "stop": ("STOP", "BERHENTI", "UNSUBSCRIBE", "END", "QUIT", "STOPALL", "STOP ALL"),
    "start": ("START", "MULAI", "UNSTOP", "SUBSCRIBE"),
    "help": ("BANTUAN", "HELP", "INFO", "TOLONG", "?"),
    "english": ("EN", "ENGLISH", "INGGRIS", "BAHASA INGGRIS"),
    "indonesian": ("ID", "INDONESIA", "BAHASA", "BAHASA INDONESIA", "INDO"),
    # ANTRE already means "book" (ambil antrean): the waiting list has words of its own.
    "waitlist": ("TUNGGU", "DAFTAR TUNGGU", "WAIT", "WAITLIST", "WAITING LIST"),
}.items():
    for _word in _words:
        KEYWORDS[_word] = _keyword

YES = {
    "YA",
    "YES",
    "Y",
    "IYA",
    "IYAA",
    "YAA",
    "OK",
    "OKE",
    "OKAY",
    "BENAR",
    "BETUL",
    "SETUJU",
    "SIP",
    "YEP",
    "YUP",
    "YEAH",
    "BOLEH",
    "JADI",
    "CONFIRM",
    "KONFIRMASI",
    "\N{THUMBS UP SIGN}",
}
NO = {
    "TIDAK",
    "NO",
    "N",
    "TDK",
    "GAK",
    "NGGAK",
    "ENGGAK",
    "JANGAN",
    "TIDAK JADI",
    "GA",
    "NOPE",
    "ENGGA",
    "NGGA",
    "GAJADI",
    "GAK JADI",
    "GA JADI",
    "NGGAK JADI",
    "ENGGAK JADI",
    "NO WAY",
}
# Words that may come with a yes or a no without changing it ("ya, benar", "no thanks").
YES_NO_FILLERS = {
    "SAYA",
    "SUDAH",
    "SDH",
    "DONG",
    "DEH",
    "AJA",
    "SAJA",
    "KAK",
    "PAK",
    "BU",
    "MIN",
    "PLEASE",
    "THANKS",
    "THANK",
    "YOU",
    "SIR",
    "TERIMA",
    "KASIH",
    "MAKASIH",
}
# Words that may surround a keyword ("saya mau batal", "cancel my booking PLG-7K3QXM").
KEYWORD_FILLERS = {
    "BOOKING",
    "PESANAN",
    "SAYA",
    "MY",
    "APPOINTMENT",
    "PASPOR",
    "PASSPORT",
    "DONG",
    "AJA",
    "SAJA",
    "PLEASE",
    "PLS",
    "KODE",
    "CODE",
    "MAU",
    "INGIN",
    "I",
    "WANT",
    "TO",
    "KAK",
    "PAK",
    "BU",
    "MIN",
}
# Twilio answers these itself on SMS (its default opt-out keywords).
TWILIO_STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}

CODE_RE = re.compile(r"\b([A-Z]{2,5})-?([2-9A-HJ-NP-Z]{6})\b")

ENGLISH = {
    "hello",
    "hi",
    "hey",
    "good",
    "morning",
    "afternoon",
    "evening",
    "book",
    "booking",
    "appointment",
    "passport",
    "english",
    "yes",
    "no",
    "cancel",
    "help",
    "status",
    "change",
    "reschedule",
    "documents",
    "agent",
    "new",
    "renewal",
    "renew",
    "lost",
    "damaged",
    "ordinary",
    "electronic",
    "tomorrow",
    "today",
    "next",
    "please",
    "want",
    "my",
    "the",
    "would",
    "like",
    "thanks",
    "thank",
    "you",
    "week",
    "days",
    "in",
    "need",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "june",
    "july",
    "august",
    "october",
    "december",
    "session",
    "at",
    "officer",
    "requirements",
    "unsubscribe",
    "name",
    "is",
    "full",
    "check",
    "what",
    "how",
    "when",
    "where",
    "wait",
    "waitlist",
    "waiting",
}
INDONESIAN = {
    "halo",
    "hai",
    "selamat",
    "pagi",
    "siang",
    "sore",
    "malam",
    "saya",
    "mau",
    "ingin",
    "pesan",
    "daftar",
    "paspor",
    "ya",
    "iya",
    "tidak",
    "batal",
    "bantuan",
    "cek",
    "ubah",
    "syarat",
    "petugas",
    "baru",
    "hilang",
    "rusak",
    "biasa",
    "elektronik",
    "besok",
    "lusa",
    "hari",
    "ini",
    "tanggal",
    "tgl",
    "depan",
    "minggu",
    "lagi",
    "terima",
    "kasih",
    "tolong",
    "bahasa",
    "indonesia",
    "perpanjang",
    "bikin",
    "buat",
    "untuk",
    "dong",
    "ada",
    "senin",
    "selasa",
    "rabu",
    "kamis",
    "jumat",
    "sabtu",
    "januari",
    "februari",
    "maret",
    "juni",
    "juli",
    "agustus",
    "oktober",
    "desember",
    "sesi",
    "jam",
    "pukul",
    "berhenti",
    "mulai",
    "dokumen",
    "persyaratan",
    "antre",
    "antrean",
    "antrian",
    "batalkan",
    "kembali",
    "bisa",
    "apa",
    "bagaimana",
    "kapan",
    "dimana",
    "jadwal",
    "tanya",
    "sudah",
    "belum",
    "nama",
    "lengkap",
    "tunggu",
}

SERVICES = (
    ("new", ("baru", "new", "bikin", "buat baru", "pertama", "first")),
    (
        "renewal",
        (
            "perpanjang",
            "perpanjangan",
            "ganti",
            "penggantian",
            "renewal",
            "renew",
            "replace",
            "replacement",
            "habis",
            "expired",
        ),
    ),
    ("lost", ("hilang", "lost", "kehilangan")),
    ("damaged", ("rusak", "damaged", "damage", "sobek", "broken")),
)
PASSPORT_TYPES = (
    (
        "ordinary",
        (
            "biasa",
            "ordinary",
            "regular",
            "non elektronik",
            "non-elektronik",
            "nonelektronik",
            "non electronic",
            "non-electronic",
            "paspor biasa",
        ),
    ),
    (
        "electronic",
        (
            "elektronik",
            "electronic",
            "e-paspor",
            "epaspor",
            "e paspor",
            "e-passport",
            "epassport",
            "e passport",
            "chip",
        ),
    ),
)


def normalize(text: str) -> str:
    """Return text folded to plain upper-case words, for matching keywords."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"[\s]+", " ", text).strip().upper()
    return text.strip(" .!,;:")


def keyword(text: str) -> tuple[str | None, str]:
    """Return the keyword a message is, and what follows it (a booking code, say).

    A keyword may come with a booking code ("BATAL PLG-7K3QXM") and with a few words that
    change nothing ("saya mau batal", "cancel my booking"), but not with other words: then
    the message is an answer to the step, not a keyword.
    """
    folded = normalize(text)
    if folded in KEYWORDS:
        return KEYWORDS[folded], ""
    tokens = re.sub(r"[^\w-]+", " ", folded).split()
    codes = [t for t in tokens if CODE_RE.fullmatch(t)]
    rest = " ".join(t for t in tokens if t not in KEYWORD_FILLERS and t not in codes)
    if not rest:
        # Only fillers, one of them a keyword itself: "booking paspor".
        rest = " ".join(t for t in tokens if t in KEYWORDS)
    if len(codes) <= 1 and rest in KEYWORDS:
        return KEYWORDS[rest], codes[0] if codes else ""
    return None, ""


def _answer(text: str, answers: set[str]) -> bool:
    folded = normalize(text)
    if folded in answers:
        return True
    tokens = re.sub(r"[^\w\N{THUMBS UP SIGN}]+", " ", folded).split()
    tokens = [t for t in tokens if t not in YES_NO_FILLERS]
    return bool(tokens) and all(t in answers for t in tokens)


def is_yes(text: str) -> bool:
    """Return whether the message says yes ("YA", "ya benar", "Yes please", a thumbs up)."""
    return not _answer(text, NO) and _answer(text, YES)


def is_no(text: str) -> bool:
    """Return whether the message says no ("TIDAK", "no thanks", "gak jadi")."""
    return not _answer(text, YES) and _answer(text, NO)


def is_twilio_stop_word(text: str) -> bool:
    """Return whether Twilio itself answers this opt-out word on SMS."""
    return normalize(text) in TWILIO_STOP_WORDS


def booking_code(text: str) -> str | None:
    """Return the booking code in text, written with or without its dash, or None."""
    match = CODE_RE.search(normalize(text))
    return f"{match.group(1)}-{match.group(2)}" if match else None


def language_of(text: str) -> str | None:
    """Return "en" or "id" when the words clearly lean one way, else None."""
    words = re.findall(r"[a-z]+", (text or "").lower())
    en = sum(w in ENGLISH for w in words)
    idn = sum(w in INDONESIAN for w in words)
    if en > idn:
        return "en"
    if idn > en:
        return "id"
    return None


def _find(choices: tuple[tuple[str, tuple[str, ...]], ...], text: str) -> str | None:
    lowered = " " + re.sub(r"[^a-z0-9-]+", " ", (text or "").lower()) + " "
    found = {value for value, words in choices if any(f" {w} " in lowered for w in words)}
    return found.pop() if len(found) == 1 else None


def service_in(text: str) -> str | None:
    """Return the service named in text (new, renewal, lost, damaged), if exactly one is."""
    return _find(SERVICES, text)


def passport_type_in(text: str) -> str | None:
    """Return the passport type named in text (ordinary, electronic), if exactly one is."""
    lowered = (text or "").lower()
    # "non elektronik" names the ordinary passport, though it contains "elektronik".
    if re.search(r"\bnon[\s-]?(elektronik|electronic)\b", lowered):
        return "ordinary"
    return _find(PASSPORT_TYPES, text)


def number(text: str, highest: int) -> int | None:
    """Return the choice 1..highest when the message is just that number."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*[.)]?\s*", text or "")
    if match and 1 <= int(match.group(1)) <= highest:
        return int(match.group(1))
    return None


NAME_RE = re.compile(r"^[^\W\d_]+(?:[ .,'\-][^\W\d_]*)*$")
# "Nama: Budi", "nama saya Budi", "my name is Budi": the label is not part of the name.
NAME_LABEL_RE = re.compile(
    r"^(?:nama(?:\s+lengkap)?(?:\s+saya)?(?:\s+adalah)?|(?:my\s+)?(?:full\s+)?name(?:\s+is)?)"
    r"(?:\s*[:=\-]\s*|\s+)",
    re.IGNORECASE,
)


def name_label(text: str) -> str:
    """Return the label before a name ("my name is"), or "" when there is none."""
    match = NAME_LABEL_RE.match((text or "").strip())
    return match.group() if match else ""


def clean_name(text: str) -> str | None:
    """Return the name tidied (single spaces), or None if it is not a plausible name."""
    name = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip()
    name = NAME_LABEL_RE.sub("", name).strip(" .,;:")
    letters = sum(ch.isalpha() for ch in name)
    if not (letters >= 2 and len(name) <= 100) or not NAME_RE.match(name):
        return None
    return name


SESSION_WORD_RE = re.compile(r"\b(?:sesi|session|sessi)\s*(\d{1,2})\b", re.IGNORECASE)
HOUR_WORD_RE = re.compile(r"\b(?:jam|pukul|pk|at)\s*(\d{1,2})(?:[:.](\d{2}))?\b", re.IGNORECASE)
CLOCK_RE = re.compile(r"\b(\d{1,2})[:.](\d{2})\b")


def session_hint(text: str, starts: list[str]) -> tuple[int | None, str]:
    """Find a session named in text ("sesi 2", "jam 10", "10:00"); return its number and the rest.

    The number is 1-based over `starts` (the day's session start times, "HH:MM").
    """
    match = SESSION_WORD_RE.search(text)
    if match and 1 <= int(match.group(1)) <= len(starts):
        return int(match.group(1)), (text[: match.start()] + text[match.end() :]).strip()
    for pattern in (HOUR_WORD_RE, CLOCK_RE):
        for match in pattern.finditer(text):
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
            wanted = f"{hour:02d}:{minute:02d}"
            if wanted in starts:
                return starts.index(wanted) + 1, (text[: match.start()] + text[match.end() :]).strip()
    return None, text
