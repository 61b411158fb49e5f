"""Bad input never crashes and never reaches the classifier unsafely."""

import logging

from nlu.text import MAX_MESSAGE_CHARS, clean_message, normalise_spelling


def test_bidi_override_characters_are_removed_so_text_reads_as_written():
    clean = clean_message("\u202eJobcenter\u202c wo ist\u2066 das\u2069")
    assert clean.text == "Jobcenter wo ist das"


def test_control_characters_become_spaces_and_whitespace_collapses():
    assert clean_message("wo\x00ist\x07 das\t\t amt\r\n").text == "wo ist das amt"


def test_persian_zero_width_non_joiner_joins_the_word_as_people_type_it():
    assert clean_message("می\u200cخواهم کورس").text == "میخواهم کورس"


def test_arabic_tatweel_stretching_is_removed():
    assert clean_message("شكـــــرا").text == "شكرا"


def test_empty_and_missing_text_give_empty_text():
    assert clean_message("").text == ""
    assert clean_message(None).text == ""
    assert clean_message(" \n\t ").text == ""


def test_over_long_text_is_cut_at_a_word_boundary_and_the_cut_is_logged(caplog):
    text = "ich suche eine wohnung in bielefeld " * 400
    with caplog.at_level(logging.INFO, logger="nlu.text"):
        clean = clean_message(text)
    assert clean.was_cut and clean.original_length == len(text)
    assert len(clean.text) <= MAX_MESSAGE_CHARS
    assert text.startswith(clean.text) and not clean.text.endswith(" ")
    assert "cut before NLU" in caplog.text
    assert "wohnung" not in caplog.text  # the log says that it was cut, not what was written


def test_short_text_is_not_cut():
    clean = clean_message("wo ist das jobcenter")
    assert not clean.was_cut and clean.text == "wo ist das jobcenter"


def test_arabic_and_persian_keyboard_spellings_give_the_classifier_one_form():
    assert normalise_spelling("كيف") == normalise_spelling("کیف")
    assert normalise_spelling("إقامة") == normalise_spelling("اقامه")
    assert normalise_spelling("مسؤول") == normalise_spelling("مسوول")
    assert normalise_spelling("٢٤") == normalise_spelling("۲۴") == "24"


def test_missing_umlauts_and_ukrainian_apostrophes_give_one_form():
    assert normalise_spelling("Ausländerbehörde") == normalise_spelling("auslanderbehorde")
    assert normalise_spelling("бʼє") == normalise_spelling("б’є") == normalise_spelling("б'є")
    assert normalise_spelling("їжа") == "їжа"  # Ukrainian letters are not optional marks
