"""Check a citizen's name the way a person at the counter would.

A name is written as the citizen wrote it (no title case), tidied: one space between words,
no label before it ("Nama: ", "my name is "), no punctuation around it, typographic
apostrophes and hyphens made plain. Letters of any script are names; apostrophes, hyphens,
dots and commas may join them ("Siti Nur'aini", "Abdul-Rahman", "Drs. H. Ahmad, S.H.").
Emoji and other symbols are dropped, and the check says so.

What is not a name gets a reason, so the bot can say the right thing:
"yes_no" (a yes, no or ok), "greeting" (halo, selamat pagi), "sentence" (a request or a
question: "saya mau perpanjang paspor"), "letters" (digits or symbols), "length" (fewer than
2 letters, or more than 100 characters).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from conversations import words

NAME_MAX = 100
NAME_MIN_LETTERS = 2

PROBLEMS = ("yes_no", "greeting", "sentence", "letters", "length")

# "Nama: Budi", "nama saya Budi", "my name is Budi": the label is not part of the name.
NAME_LABEL_RE = re.compile(
    r"^(?:nama(?:\s+lengkap)?(?:\s+saya)?(?:\s+adalah)?|(?:my\s+)?(?:full\s+)?name(?:\s+is)?)"
    r"(?:\s*[:=\-]\s*|\s+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NameCheck:
    """The outcome of checking a name."""

    name: str | None  # the tidied name when ok, else None
    problem: str | None  # None when ok; else one of PROBLEMS
    dropped: bool  # whether emoji or other visible symbols were dropped from the text


def name_label(text: str) -> str:
    """Return the label before a name ("my name is"), or "" when there is none."""
    match = NAME_LABEL_RE.match((text or "").strip())
    return match.group() if match else ""


# --- characters ----------------------------------------------------------------------------

# Typed on phones as apostrophes: ’ ‘ ʼ ʻ ‛ ′, the backtick and the acute accent; the
# full-width one NFKC folds by itself. Mapped before NFKC, which would turn ´ into a space
# and a combining accent.
_APOSTROPHES = dict.fromkeys(map(ord, "\u2019\u2018\u02bc\u02bb\u201b\u2032`\u00b4"), "'")
_HYPHENS = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2212\ufe63"), "-")
_PUNCTUATION_IN_NAMES = " .,'-"


def _is_invisible(ch: str, category: str) -> bool:
    """Whether ch is a format or control character or a variation selector (not a space)."""
    if category in ("Cf", "Cs") or (category == "Cc" and not ch.isspace()):
        return True
    return "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"


def _drop_symbols(text: str) -> tuple[str, bool]:
    """Return text without emoji, symbols and invisible marks, and whether any visible went.

    A visible symbol (an emoji, ©, a skin tone) becomes a space, so that "Budi😊Santoso"
    keeps two words; an invisible one (a zero-width joiner, a variation selector, a
    direction mark) goes without a trace and is not counted as dropped.
    """
    kept: list[str] = []
    dropped = False
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("So", "Sk", "Me", "Co", "Cn"):
            kept.append(" ")
            dropped = True
        elif not _is_invisible(ch, category):
            kept.append(ch)
    return "".join(kept), dropped


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L")


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Mc")


def _shape(name: str) -> str:
    """Return the name with letters as "a", marks as "m", its punctuation kept, all else "x"."""
    return "".join(
        "a" if _is_letter(ch) else "m" if _is_mark(ch) else ch if ch in _PUNCTUATION_IN_NAMES else "x" for ch in name
    )


# Words of letters (each perhaps with combining marks) joined by a space, ". ", ", ", or a
# dot, comma, apostrophe or hyphen alone; perhaps a dot at the end ("S.H.").
_NAME_SHAPE = re.compile(r"(?:am*)+(?:(?:[.,]? |[.,'\-])(?:am*)+)*\.?")


def _is_surrounding(ch: str) -> bool:
    """Whether ch may be stripped from either end: spaces, punctuation, WhatsApp's ~."""
    return ch.isspace() or unicodedata.category(ch).startswith("P") or ch == "~"


def _strip_surrounding(text: str) -> str:
    """Strip spaces and punctuation around the name, keeping the dot of a last initial."""
    start, end = 0, len(text)
    while start < end and _is_surrounding(text[start]):
        start += 1
    while end > start and _is_surrounding(text[end - 1]):
        end -= 1
    core = text[start:end]
    # "Budi S." and "Ahmad, S.H." end with an abbreviation whose dot belongs to it.
    if end < len(text) and text[end] == "." and core:
        last = core.rsplit(" ", 1)[-1].rsplit(",", 1)[-1]
        if len(last) == 1 or "." in last:
            core += "."
    return core


def _tidy(text: str) -> str:
    """Return text NFKC-normalised with one space between words and none around ' and -."""
    # NFKC may make an apostrophe of its own ("ŉ" is "ʼn").
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).translate(_HYPHENS)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r" ?([-']) ?", r"\1", text)
    return re.sub(r" +([.,])", r"\1", text)


# --- words that are not names --------------------------------------------------------------


def _folded(words_: set[str]) -> frozenset[str]:
    return frozenset(token for w in words_ for token in w.lower().split())


# A yes or a no, alone or with a word of politeness ("ya kak", "oke siap", "no thanks").
_YES_NO = _folded(words.YES | words.NO) | {
    "siap",
    "baik",
    "baiklah",
    "okey",
    "okeh",
    "oks",
    "okk",
    "sipp",
    "yap",
    "yoi",
    "noted",
    "mantap",
    "nope",
}
_YES_NO_FILLERS = _folded(words.YES_NO_FILLERS)


def _squeeze(word: str) -> str:
    """Return word with each run of one letter made one ("halooo" -> "halo", "hii" -> "hi")."""
    return re.sub(r"(.)\1+", r"\1", word)


# Compared squeezed ("halooo", "hii", "assalamualaikum").
_GREETINGS = {
    "halo",
    "helo",
    "helow",
    "hai",
    "hi",
    "hey",
    "hei",
    "hay",
    "p",
    "pagi",
    "siang",
    "sore",
    "malam",
    "morning",
    "afternoon",
    "evening",
    "asalamualaikum",
    "asalamu",
    "alaikum",
    "salamualaikum",
    "askum",
    "permisi",
    "misi",
    "punten",
    "swastiastu",
    "sampurasun",
}
# Words that come with a greeting but may be names alone ("Selamat", "Salam"), among them
# ways of calling an officer that are also family names (Pak, Bu, Min, Gan): "halo pak" is
# a greeting, "Pak Min" may be a name.
_COMPANIONS = {
    "selamat",
    "slamat",
    "met",
    "good",
    "salam",
    "wr",
    "wb",
    "warahmatulahi",
    "warahmatulah",
    "wabarakatuh",
    "wa",
    "semua",
    "al",
    "everyone",
    "there",
    "pak",
    "bu",
    "min",
    "gan",
    "om",
    "ka",
}
# Ways of calling an officer that are no name, even alone.
_ADDRESS = {
    "kak",
    "kakak",
    "bapak",
    "ibu",
    "mas",
    "mbak",
    "mba",
    "admin",
    "sis",
    "bro",
    "tante",
    "sir",
    "madam",
    "mam",
}

_GREETING_COMPANIONS = frozenset(map(_squeeze, _COMPANIONS))
_GREETING_WORDS = frozenset(map(_squeeze, _GREETINGS | _ADDRESS)) | _GREETING_COMPANIONS

# One of these makes a text a sentence: none is part of a name.
_SENTENCE_WORDS = {
    # wanting and asking
    "ingin",
    "pengen",
    "pengin",
    "pingin",
    "kepengen",
    "tolong",
    "mohon",
    "minta",
    "bantu",
    "bantuin",
    "tanya",
    "nanya",
    "bertanya",
    "bagaimana",
    "gimana",
    "gmn",
    "bgmn",
    "caranya",
    "apakah",
    "kapan",
    "dimana",
    "berapa",
    "brp",
    "kenapa",
    "mengapa",
    "siapa",
    "bingung",
    "mengerti",
    "ngerti",
    "tahu",
    "maaf",
    "belum",
    "blm",
    "sudah",
    "udah",
    "sdh",
    # what the bot is for
    "booking",
    "boking",
    "book",
    "pesan",
    "memesan",
    "daftar",
    "mendaftar",
    "pendaftaran",
    "registrasi",
    "paspor",
    "pasport",
    "pasfor",
    "passport",
    "perpanjang",
    "perpanjangan",
    "memperpanjang",
    "bikin",
    "membuat",
    "urus",
    "ngurus",
    "mengurus",
    "antri",
    "antre",
    "antrean",
    "antrian",
    "jadwal",
    "syarat",
    "persyaratan",
    "dokumen",
    "imigrasi",
    "kantor",
    "info",
    "informasi",
    "nama",
    "namanya",
    "namaku",
    # English
    "want",
    "wanna",
    "need",
    "please",
    "pls",
    "help",
    "how",
    "what",
    "why",
    "where",
    "when",
    "would",
    "could",
    "should",
    "appointment",
    "schedule",
    "renew",
    "renewal",
    "apply",
    "sorry",
}
# Two of these make a text a sentence; one may be a name ("Dewi Mau", "Will Smith").
# Words that are common names or parts of names (yang, dan, ada, di, ke, an, do, pak, min)
# are not here.
_FUNCTION_WORDS = {
    "saya",
    "aku",
    "sy",
    "gue",
    "gua",
    "gw",
    "ane",
    "kami",
    "kita",
    "mau",
    "mo",
    "bisa",
    "bs",
    "apa",
    "ini",
    "itu",
    "untuk",
    "utk",
    "buat",
    "dari",
    "juga",
    "lagi",
    "dong",
    "deh",
    "sih",
    "nih",
    "kok",
    "aja",
    "saja",
    "tidak",
    "tdk",
    "gak",
    "ga",
    "nggak",
    "enggak",
    "tau",
    "ya",
    "kak",
    "me",
    "my",
    "you",
    "your",
    "to",
    "the",
    "is",
    "am",
    "are",
    "can",
    "will",
    "have",
    "for",
    "of",
    "with",
    "this",
    "it",
    "that",
}
# A sentence may start with these; a name does not ("saya Budi", "aku mau", "ini Budi").
_SENTENCE_STARTS = {"saya", "aku", "sy", "gue", "gua", "gw", "ane", "kami", "bisa", "apa", "ini", "i'm"}
# "I Made Wirawan" is a Balinese name; "I want", "I am" are not.
_I_VERBS = {"am", "want", "wanna", "need", "would", "will", "have", "like", "just", "already", "can", "wish"}


def is_greeting(text: str) -> bool:
    """Return whether the message is only a greeting ("halo kak", "selamat pagi", "P")."""
    squeezed = [_squeeze(t.replace("'", "")) for t in _tokens(text)]
    return (
        0 < len(squeezed) <= 6
        and all(t in _GREETING_WORDS for t in squeezed)
        and any(t not in _GREETING_COMPANIONS for t in squeezed)
    )


def _tokens(text: str) -> list[str]:
    """Return the words of text in lower case, apostrophes kept inside ("i'm"), digits left out."""
    return re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)*", text.casefold())


def _word_problem(tokens: list[str]) -> str | None:
    """Return "yes_no", "greeting" or "sentence" when the words say so, else None."""
    if not tokens:
        return None
    plain = [t.replace("'", "") for t in tokens]
    if all(t in _YES_NO or t in _YES_NO_FILLERS for t in plain) and any(t in _YES_NO for t in plain):
        return "yes_no"
    if is_greeting(" ".join(tokens)):
        return "greeting"
    if any(t in _SENTENCE_WORDS for t in plain):
        return "sentence"
    if tokens[0] in _SENTENCE_STARTS or (tokens[0] == "i" and len(tokens) > 1 and tokens[1] in _I_VERBS):
        return "sentence"
    if sum(t in _FUNCTION_WORDS for t in plain) >= 2:
        return "sentence"
    return None


# --- the check -----------------------------------------------------------------------------


def _clean(text: str) -> tuple[str, bool]:
    """Return the text tidied, without its label and surrounding punctuation, and `dropped`."""
    text, dropped = _drop_symbols(text.translate(_APOSTROPHES))
    text = _strip_surrounding(_tidy(text))
    # The label may be all there is ("Nama:", "my name is"): then there is no name.
    while label := NAME_LABEL_RE.match(text + " "):
        if label.end() >= len(text):
            return "", dropped
        text = _strip_surrounding(text[label.end() :])
    return text, dropped


def check_name(text: str) -> NameCheck:
    """Check a name written by a citizen; return it tidied, or why it is not a name."""
    if not isinstance(text, str):
        return NameCheck(None, "length", False)
    name, dropped = _clean(text)
    # A thumbs up is a yes, though it has no letters.
    problem = "yes_no" if words.is_yes(text) or words.is_no(text) else _word_problem(_tokens(name))
    if problem is None:
        shape = _shape(name)
        if "x" in shape:
            problem = "letters"
        elif shape.count("a") < NAME_MIN_LETTERS or len(name) > NAME_MAX:
            problem = "length"
        elif not _NAME_SHAPE.fullmatch(shape):
            problem = "letters"
    if problem is not None:
        return NameCheck(None, problem, dropped)
    return NameCheck(name, None, dropped)
