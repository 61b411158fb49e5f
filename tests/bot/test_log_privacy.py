"""The adapter's log, even at debug level, shows no message text, no Telegram id and no bot
token; the same person gets the same hash, which starts their Rasa pseudonym."""

from __future__ import annotations

import logging

from bot.log_privacy import Pseudonymising
from bot.pseudonym import pseudonym

KEY = b"log-test-key"


def logged(caplog, message: str, *args) -> str:
    logger = logging.getLogger("telegram.ext.test")
    caplog.handler.addFilter(Pseudonymising(KEY))
    with caplog.at_level(logging.DEBUG, logger="telegram.ext.test"):
        logger.debug(message, *args)
    return caplog.text


def test_an_update_logged_by_ptb_shows_neither_text_nor_ids_nor_names(caplog):
    update = {"update_id": 912345,
              "message": {"message_id": 17, "text": "Ich heiße Olena, meine Adresse ist Jöllenbecker Str. 5",
                                               "chat": {"id": 424242424, "type": "private"},
                                               "from": {"id": 424242424, "first_name": "Olena", "username": "olena_k"}}}
    text = logged(caplog, "Processing update %s", update)
    assert "Olena" not in text and "Jöllenbecker" not in text and "olena_k" not in text and "424242424" not in text
    person = pseudonym(424242424, KEY).removeprefix("tg-")[:8]
    assert text.count(f"‹{person}›") == 2  # the chat and the sender: the same person, the same hash
    assert "912345" in text and "'message_id': 17" in text  # what does not identify anyone stays


def test_the_bot_token_in_a_request_url_is_hidden(caplog):
    text = logged(caplog,
                  "HTTP Request: POST https://api.telegram.org/bot123456789:AAH-fake_tokenvalue-1234567890/getUpdates")
    assert "AAH-fake_tokenvalue" not in text and "/bot<token>/getUpdates" in text


def test_a_traceback_with_a_message_in_it_is_redacted_too(caplog):
    logger = logging.getLogger("telegram.ext.test")
    caplog.handler.addFilter(Pseudonymising(KEY))
    try:
        raise ValueError({"text": "mein Asylbescheid ist abgelehnt"})
    except ValueError:
        logger.exception("handler failed")
    assert "Asylbescheid" not in caplog.text and "handler failed" in caplog.text and "ValueError" in caplog.text


def test_an_update_as_ptb_prints_it_shows_no_text_name_id_place_or_phone(caplog):
    """PTB logs an Update object at DEBUG in its own repr (text='…', id=…), not as a dict."""
    from telegram import Update

    update = Update.de_json({"update_id": 912346, "message": {
        "message_id": 18, "date": 0, "chat": {"id": 424242425, "type": "private", "first_name": "Olena"},
        "from": {"id": 424242425, "is_bot": False, "first_name": "Olena", "last_name": "Kowal", "username": "olena_k"},
        "location": {"latitude": 52.0211, "longitude": 8.5347},
        "contact": {"phone_number": "+49 151 2345678", "first_name": "Olena", "user_id": 424242425}}}, None)
    text = logged(caplog, "Processing update %s", update)
    for personal in ("Olena", "Kowal", "olena_k", "424242425", "52.0211", "8.5347", "2345678"):
        assert personal not in text, personal
    assert "912346" in text


def test_rasas_token_in_a_request_url_is_hidden(caplog):
    text = logged(caplog, "HTTP Request: GET "
                          'http://rasa:5005/conversations/tg-1/tracker?include_events=ALL&token=s3cr-et "200"')
    assert "s3cr-et" not in text and "token=<token>" in text
