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
    "stop": ("STOP", "BERHENTI", "UNSUBSCRIBE", "END", "QUIT", "STOPALL", "STOP ALL", "REVOKE", "OPTOUT"),
    "start": ("START", "MULAI", "UNSTOP", "SUBSCRIBE"),
    "help": ("BANTUAN", "HELP", "INFO", "TOLONG", "?"),
    "english": ("EN", "ENGLISH", "INGGRIS", "BAHASA INGGRIS"),
    "indonesian": ("ID", "INDONESIA", "BAHASA", "BAHASA INDONESIA", "INDO"),
    # ANTRE already means "book" (ambil antrean): the waiting list has words of its own.
    "waitlist": ("TUNGGU", "DAFTAR TUNGGU", "WAIT", "WAITLIST", "WAITING LIST"),
}.items():
    for _word in _words:
        KEYWORDS[_word] = _keyword

# Words that say yes on their own ("YA", "ok", a thumbs up).
YES = {
    "YA",
    "YES",
    "Y",
    "IYA",
    "IYAA",
    "YAA",
    "YAP",
    "OK",
    "OKE",
    "OKEE",
    "OKAY",
    "OKEY",
    "BENAR",
    "BETUL",
    "SETUJU",
    "SIP",
    "SIAP",
    "BAIK",
    "YEP",
    "YUP",
    "YEAH",
    "SURE",
    "BOLEH",
    "JADI",
    "CONFIRM",
    "KONFIRMASI",
    "\N{THUMBS UP SIGN}",
}
# Words that say "I will come" ("hadir", "datang"): yes, unless a negation comes with them.
COMING = {"HADIR", "DATANG", "COME", "COMING", "THERE", "ATTEND"}
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
    "NOT",
    "CANNOT",
    "CANT",
    "CAN'T",
    "WONT",
    "WON'T",
    "\N{THUMBS DOWN SIGN}",
}
# Words that may come with a yes or a no without changing it ("ya, benar", "no thanks",
# "ya saya akan datang", "insyaallah hadir", "I will come", "tidak bisa datang").
YES_NO_FILLERS = {
    "SAYA",
    "AKU",
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
    "AKAN",
    "PASTI",
    "INSYAALLAH",
    "INSYA",
    "INSHAALLAH",
    "INSHA",
    "ALLAH",
    "INSHALLAH",
    "BISA",
    "JADI",
    "BESOK",
    "NANTI",
    "I",
    "WILL",
    "BE",
    "CAN",
    "MAKE",
    "IT",
    "TOMORROW",
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
# Twilio's default SMS opt-out keywords: Twilio itself answers them and blocks the number.
TWILIO_STOP_WORDS = {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}

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
    "kak",
    "mas",
    "mbak",
    "bu",
    "pak",
    "jum'at",
    "jumaat",
    "sen",
    "sel",
    "rab",
    "kam",
    "sab",
    "mgg",
    "des",
    "okt",
    "agu",
    "agt",
    "mei",
    "akan",
    "datang",
    "hadir",
    "siap",
    "baik",
    "biaya",
    "berapa",
    "buka",
    "alamat",
    "anak",
    "kantor",
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


def yes_or_no(text: str) -> str | None:
    """Return "yes" or "no" when the message says one plainly, else None.

    A yes word ("ya", "siap", "oke", a thumbs up) or a word of coming ("hadir", "datang",
    "I will come") says yes; a negation ("tidak", "gak jadi", "can't") says no, and turns a
    word of coming into a no ("tidak bisa datang"). Fillers ("saya akan", "insyaallah",
    "kak", "please") change nothing. Any other word, or a yes word with a no word
    ("ya tidak"), says neither: the bot then asks again rather than guess.
    """
    folded = normalize(text)
    if folded in YES:
        return "yes"
    if folded in NO:
        return "no"
    folded = folded.replace("\N{RIGHT SINGLE QUOTATION MARK}", "'")
    tokens = re.sub(r"[^\w'\N{THUMBS UP SIGN}\N{THUMBS DOWN SIGN}]+", " ", folded).split()
    tokens = [t.strip("'") for t in tokens]
    tokens = [t for t in tokens if t and t not in YES_NO_FILLERS]
    if not tokens:
        # Only fillers: "jadi" alone is a yes ("it is on"), "pasti" and "insyaallah" too.
        return "yes" if normalize(text) in {"JADI", "PASTI", "INSYAALLAH", "INSHAALLAH"} else None
    if not all(t in YES or t in NO or t in COMING for t in tokens):
        return None
    said_no = any(t in NO for t in tokens)
    said_yes = any(t in YES for t in tokens)
    if said_no:
        return None if said_yes else "no"
    return "yes"


def is_yes(text: str) -> bool:
    """Return whether the message says yes ("YA", "siap", "ya saya datang", a thumbs up)."""
    return yes_or_no(text) == "yes"


def is_no(text: str) -> bool:
    """Return whether the message says no ("TIDAK", "gak jadi", "tidak bisa datang")."""
    return yes_or_no(text) == "no"


def is_twilio_stop_word(text: str) -> bool:
    """Return whether Twilio itself answers this opt-out word on SMS."""
    return normalize(text) in TWILIO_STOP_WORDS


# Twilio's SMS opt-in keywords: Twilio lets messages reach the number again after them.
TWILIO_START_WORDS = {"START", "YES", "UNSTOP"}


def is_twilio_start_word(text: str) -> bool:
    """Return whether Twilio itself takes this word on SMS as opting in again."""
    return normalize(text) in TWILIO_START_WORDS


def booking_code(text: str) -> str | None:
    """Return the booking code in text, written with or without its dash, or None."""
    match = CODE_RE.search(normalize(text))
    return f"{match.group(1)}-{match.group(2)}" if match else None


_WORD = re.compile(r"[a-z]+(?:['\N{RIGHT SINGLE QUOTATION MARK}\N{MODIFIER LETTER APOSTROPHE}][a-z]+)*")


def _language_counts(text: str) -> tuple[int, int, int]:
    """Return how many words of the text are English, Indonesian, and words at all."""
    found = _WORD.findall((text or "").lower())
    found = [
        w.replace("\N{RIGHT SINGLE QUOTATION MARK}", "'").replace("\N{MODIFIER LETTER APOSTROPHE}", "'") for w in found
    ]
    return sum(w in ENGLISH for w in found), sum(w in INDONESIAN for w in found), len(found)


def language_of(text: str) -> str | None:
    """Return "en" or "id" when the words lean one way at all (a first message), else None."""
    en, idn, _ = _language_counts(text)
    if en > idn:
        return "en"
    if idn > en:
        return "id"
    return None


def sentence_language(text: str) -> str | None:
    """Return "en" or "id" when the text is a whole sentence in that language, else None.

    A sentence has at least three words of the language, twice as many as of the other,
    and they make up at least half its words: "I would like to book a passport" is English,
    "booking", "thanks kak", "cancel my booking" or "no 2" are not a sentence.
    """
    en, idn, total = _language_counts(text)
    for lang, mine, other in (("en", en, idn), ("id", idn, en)):
        if mine >= 3 and mine >= 2 * other and 2 * mine >= total:
            return lang
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


_SMALL_NUMBERS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "one": 1, "two": 2, "three": 3, "four": 4}
_ORDINALS = {
    "pertama": 1, "kesatu": 1, "first": 1, "1st": 1,
    "kedua": 2, "second": 2, "2nd": 2,
    "ketiga": 3, "third": 3, "3rd": 3,
    "keempat": 4, "fourth": 4, "4th": 4,
    "kelima": 5, "fifth": 5, "5th": 5,
}  # fmt: skip
_NUMBER = r"(\d{1,2}|" + "|".join(_SMALL_NUMBERS) + ")"
SESSION_WORD_RE = re.compile(
    rf"\b(?:sesi|session|sessi|ses|no|nomor|nmr|number|pilihan|nomer)\s*\.?\s*(?:ke\s*-?\s*)?{_NUMBER}\b",
    re.IGNORECASE,
)
ORDINAL_RE = re.compile(
    r"\b(?:(?:yang|yg|the)\s+)?(?:sesi\s+|session\s+)?(?:ke\s*-?\s*(\d)|("
    + "|".join(_ORDINALS)
    + r"))(?:\s+(?:sesi|session|one))?\b",
    re.IGNORECASE,
)
HOUR_WORD_RE = re.compile(
    r"\b(?:jam|pukul|pk|at)\s*(\d{1,2})(?:[:.](\d{2}))?(?:\s*(pagi|siang|sore|malam|am|pm))?\b", re.IGNORECASE
)
CLOCK_RE = re.compile(r"\b(\d{1,2})[:.](\d{2})\b")
# A part of the day: the session that starts in it (the first such, but for the afternoon).
PART_OF_DAY_RE = re.compile(
    r"(?<!selamat )\b(pagi|morning|siang|afternoon|sore|evening)\b(?!\s+(?:kak|pak|bu|min|sir)\b)",
    re.IGNORECASE,
)


def _clock(hour: int, minute: int, part: str | None) -> str:
    part = (part or "").lower()
    if part in ("siang", "pm") and 1 <= hour <= 6 or part in ("sore", "malam", "pm") and hour < 12:
        hour += 12
    return f"{hour:02d}:{minute:02d}"


def _part_of_day(part: str, starts: list[str]) -> int | None:
    """Return the number of the session the part of the day names, if the day has one."""
    part = part.lower()
    if part in ("pagi", "morning"):
        chosen = [s for s in starts if s < "11:00"][:1]
    elif part == "siang":
        chosen = [s for s in starts if "11:00" <= s < "15:00"][:1]
    else:  # sore, afternoon, evening: the last session that starts after noon
        chosen = [s for s in starts if s >= "12:00"][-1:]
    return starts.index(chosen[0]) + 1 if chosen else None


def session_hint(text: str, starts: list[str]) -> tuple[int | None, str]:
    """Find a session named in text; return its number and the rest of the text.

    A session is named by its number ("sesi 2", "sesi dua", "no 2", "yang pertama", "ke-2",
    "the second one"), its start time ("jam 10", "pukul 13.00", "10:00", "jam 1 siang") or
    the part of the day it starts in ("pagi", "siang", "sore"; "selamat pagi" is a greeting).
    The number is 1-based over `starts` (the day's session start times, "HH:MM").
    """

    def rest(match: re.Match[str]) -> str:
        return re.sub(r"\s+", " ", text[: match.start()] + " " + text[match.end() :]).strip()

    match = SESSION_WORD_RE.search(text)
    if match:
        raw = match.group(1).lower()
        chosen = int(raw) if raw.isdigit() else _SMALL_NUMBERS[raw]
        if 1 <= chosen <= len(starts):
            return chosen, rest(match)
    match = ORDINAL_RE.search(text)
    if match:
        chosen = int(match.group(1)) if match.group(1) else _ORDINALS[match.group(2).lower()]
        if 1 <= chosen <= len(starts):
            return chosen, rest(match)
    for match in HOUR_WORD_RE.finditer(text):
        wanted = _clock(int(match.group(1)), int(match.group(2) or 0), match.group(3))
        if wanted in starts:
            return starts.index(wanted) + 1, rest(match)
    for match in CLOCK_RE.finditer(text):
        wanted = f"{int(match.group(1)):02d}:{int(match.group(2)):02d}"
        if wanted in starts:
            return starts.index(wanted) + 1, rest(match)
    match = PART_OF_DAY_RE.search(text)
    if match:
        chosen_part = _part_of_day(match.group(1), starts)
        if chosen_part is not None:
            return chosen_part, rest(match)
    return None, text
