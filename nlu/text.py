"""Make any incoming message safe for NLU: invisible control and bidi characters removed,
over-long text cut. Newcomers paste whole letters or forward garbage; the classifier must
never see more than it can use, and must never crash on what it gets."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

MAX_MESSAGE_CHARS = 1000
"""Telegram allows 4096 characters; a question Lotse can answer fits in far fewer, and
the first part of a pasted letter carries its topic."""

logger = logging.getLogger(__name__)

# Bidi embeddings/overrides/isolates can reorder what a human sees without changing what the
# model reads; the letter marks (LRM, RLM, ALM) are harmless but carry no meaning either.
_BIDI_CONTROLS = dict.fromkeys(
    [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
# Arabic tatweel stretches letters for emphasis ("مرحبااا", "شكـــرا"); it is not part of words.
_TATWEEL = 0x0640
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class CleanMessage:
    text: str
    original_length: int
    was_cut: bool


def _is_invisible_control(char: str) -> bool:
    """Control and format characters except the zero-width (non-)joiner, which Persian
    spelling uses inside words (می‌خواهم) and which we turn into a plain join below."""
    return unicodedata.category(char) in {"Cc", "Cf", "Co", "Cs"} and char not in "\u200c\u200d"


def clean_message(text: str | None, max_chars: int = MAX_MESSAGE_CHARS) -> CleanMessage:
    """Return the text NLU should see: no control or bidi characters, single spaces,
    at most `max_chars` characters (cut at a word boundary where one is near)."""
    raw = text or ""
    cleaned = raw.translate(_BIDI_CONTROLS)
    cleaned = "".join(
        " " if _is_invisible_control(char) else char
        for char in cleaned
        if char not in "\u200c\u200d" and ord(char) != _TATWEEL
    )
    cleaned = _WHITESPACE.sub(" ", cleaned).strip()
    was_cut = len(cleaned) > max_chars
    if was_cut:
        cut = cleaned[:max_chars]
        last_space = cut.rfind(" ")
        cleaned = cut[:last_space] if last_space > max_chars * 0.8 else cut
        logger.info(
            "Message cut before NLU from %d to %d characters", len(raw), len(cleaned)
        )
    return CleanMessage(text=cleaned, original_length=len(raw), was_cut=was_cut)


# One spelling per letter for the classifier: Arabic and Persian keyboards write ي/ی and
# ك/ک differently, people drop or add hamza and ta marbuta at will, and Ukrainian has three
# apostrophes. The language detector sees the original letters; only the features use these.
_SPELLING = str.maketrans({
    "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ٱ": "ا",
    **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    "ʼ": "'", "’": "'", "`": "'", "ё": "е",
})


def _strip_marks(char: str) -> str:
    """Latin and Arabic-script letters without diacritics (ä → a, أ → ا, ؤ → و); Cyrillic
    keeps its letters, whose marks are not optional (й, ї)."""
    code = ord(char)
    if code < 0x0400 or 0x0600 <= code <= 0x06FF or 0xFB50 <= code <= 0xFEFF:
        return "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return char


def normalise_spelling(word: str) -> str:
    """The form of a word that the classifier's features are built from."""
    return "".join(map(_strip_marks, word.lower())).translate(_SPELLING)
