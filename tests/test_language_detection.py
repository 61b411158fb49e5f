"""Every message gets one of de, ar, prs, uk, en — also the short, mixed and ambiguous ones."""

import subprocess
import sys

import pytest

from nlu.language import Evidence, detect_language, guess_from_text
from tests.conftest import PROJECT_ROOT
from texts import language_from_client_code


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Wo kann ich mich für einen Integrationskurs anmelden?", "de"),
        ("ich suche wohnung dringend", "de"),
        ("wie lange dauert die einbürgerung", "de"),
        ("wieviel kaution muss man normal zahlen", "de"),  # "man" is no Finglish here
        ("online kurs a2 kostenlos", "de"),  # a course level, not Arabizi digits
        ("where can i find a flat in bielefeld", "en"),
        ("my Aufenthaltstitel expires next month what should i do", "en"),
        ("اريد ان اسجل في كورس اللغة", "ar"),
        ("وين الجوب سنتر بدي موعد", "ar"),
        ("شلون اسوي انملدونغ", "ar"),
        ("میخواهم در کورس لسان ثبت نام کنم", "prs"),
        ("جاب سنتر کجاست", "prs"),
        ("برای تمدید اقامت چه کار کنم", "prs"),
        ("де можна знайти квартиру", "uk"),
        ("мені потрібен термін в Ausländerbehörde", "uk"),
        ("Яка різниця між Kaltmiete і Warmmiete?", "uk"),  # more German letters than Ukrainian
        ("الاوسلندربهورده ما عم ترد عالتلفون", "ar"),
    ],
)
def test_messages_are_detected_in_their_language(text, expected):
    assert detect_language(text).code == expected


@pytest.mark.parametrize(
    "text",
    [
        "где найти квартиру в билефельде",  # Russian words, as many Ukrainians write
        "шо робити з джобцентром, нужно идти туда?",  # Surzhyk
    ],
)
def test_russian_and_surzhyk_from_ukrainian_users_is_served_in_ukrainian(text):
    assert detect_language(text).code == "uk"


@pytest.mark.parametrize(
    "text",
    [
        "من میخوام یک خانه پیدا کنم",  # fastText alone reads short Persian as Urdu at times
        "کار میخواهم",
        "تذکره ام گم شده",
    ],
)
def test_persian_letters_decide_for_dari_where_fasttext_hesitates(text):
    assert detect_language(text).code == "prs"


def test_iraqi_arabic_with_che_stays_arabic():
    assert detect_language("شكو ماكو اريد اشتغل هسه وين اروح چان عندي شغل").code == "ar"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("marhaba, bade 7ada ye7ki ma3i", "ar"),
        ("salam 3aleikom", "ar"),
        ("salam chetori", "prs"),
        ("mikhaham ba yak adam gap bezanam", "prs"),
    ],
)
def test_arabizi_and_finglish_are_recognised(text, expected):
    assert detect_language(text).code == expected


@pytest.mark.parametrize("previous", ["ar", "prs", "uk", "de", "en"])
@pytest.mark.parametrize("text", ["ok", "Jobcenter", "👍", "WBS?", "Anmeldung", "123", "  "])
def test_a_message_without_evidence_keeps_the_conversation_language(text, previous):
    assert detect_language(text, previous=previous).code == previous


@pytest.mark.parametrize("text, previous", [
    ("а в Brackwede?", "uk"), ("وفي Brackwede؟", "ar"), ("در Sennestadt چطور؟", "prs"), ("in Jöllenbeck?", "en"),
    ("Heepen", "ar"),
])
def test_a_district_name_in_a_follow_up_does_not_switch_the_conversation(text, previous):
    assert detect_language(text, previous=previous).code == previous


def test_clear_text_in_another_language_switches_the_conversation():
    assert detect_language("can you answer in english please", previous="ar").code == "en"
    assert detect_language("ich möchte lieber auf deutsch schreiben", previous="uk").code == "de"


def test_a_change_of_script_switches_even_when_the_words_are_ambiguous():
    guess = detect_language("سلام", previous="uk")
    assert guess.code in {"ar", "prs"}


def test_an_ambiguous_arabic_script_greeting_keeps_dari_in_a_dari_conversation():
    assert guess_from_text("سلام").evidence is Evidence.SCRIPT
    assert detect_language("سلام", previous="prs").code == "prs"
    assert detect_language("سلام", previous="ar").code == "ar"


@pytest.mark.parametrize(
    "client_code, expected",
    [("fa", "prs"), ("fa-AF", "prs"), ("prs", "prs"), ("ar-SY", "ar"), ("uk", "uk"),
     ("ru", "uk"), ("de-DE", "de"), ("en", "en"), ("fr", None), (None, None), ("", None)],
)
def test_telegram_client_language_codes_map_to_lotse_languages(client_code, expected):
    assert language_from_client_code(client_code) == expected


def test_the_telegram_client_language_is_used_when_the_text_says_nothing():
    assert detect_language("👍", client_code="fa-AF").code == "prs"
    assert detect_language("سلام", client_code="fa").code == "prs"
    assert detect_language("سلام", client_code="ar").code == "ar"


def test_clear_text_wins_over_the_telegram_client_language():
    assert detect_language("where is the foreigners office", client_code="de").code == "en"


@pytest.mark.parametrize("text", ["", "\u202e\u202d", "🙂🙂🙂", "x" * 10_000, "\x00\x01", "؟؟؟ ??? !!!"])
def test_bad_input_still_gets_a_supported_language(text):
    assert detect_language(text).code in {"de", "ar", "prs", "uk", "en"}


def test_cli_prints_one_code_per_input_line():
    lines = ["wo ist das jobcenter", "", "بدي شقة", "کجا کورس لسان است", "де знайти житло", "hello I need help", "👍"]
    result = subprocess.run(
        [sys.executable, "-m", "nlu.language"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=True,
    )
    codes = result.stdout.split("\n")[:-1]
    assert len(codes) == len(lines)
    assert [codes[i] for i in (0, 2, 3, 4, 5)] == ["de", "ar", "prs", "uk", "en"]
    assert set(codes) <= {"de", "ar", "prs", "uk", "en"}


def test_cli_in_conversation_mode_keeps_the_language_for_lines_without_evidence():
    result = subprocess.run(
        [sys.executable, "-m", "nlu.language", "--conversation"],
        input="میخواهم کار پیدا کنم\nok\nJobcenter\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=True,
    )
    assert result.stdout.split() == ["prs", "prs", "prs"]
