"""The newcomer's side: a private chat with Lotse. Text and pressed buttons go to Rasa under a
pseudonym with the client's language; Rasa's answers come back as HTML messages with inline
buttons. During a hand-over, whatever the newcomer sends is mirrored to the advisors."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.lotse import Lotse, author_of, chat_of, lotse_of, message_of, send_text
from bot.rasa_client import BotReply, RasaUnavailable
from texts import LANGUAGES, Phrases, advisor_texts, privacy_notice, serving_language

logger = logging.getLogger(__name__)
LOCATION_DECIMALS = 2  # about 1 km: enough for the district, not a home address


def _keyboard(reply: BotReply) -> InlineKeyboardMarkup | None:
    """One button per row, as on a phone menu; the payload travels as callback data."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(title, callback_data=payload)]
                                 for title, payload in reply.buttons])


# Telegram commands newcomers may type, as the intents Rasa knows them by. Any other text is
# text: Rasa reads "/intent{json}" as an intent with entities, which only Lotse's own buttons
# may send (a typed one crashed an action with forged coordinates).
COMMANDS = {"/start": "/start", "/privacy": "/privacy", "/delete": "/delete_data", "/language": "/choose_language"}
DELETE, PRIVACY = "/delete_data", "/privacy"


MENU = ("start", "language", "privacy", "delete")
# The client languages the menu is translated for (Dari speakers mostly run Persian, many
# Ukrainians Russian: serving_language maps them); without a code, English.
MENU_CLIENT_CODES = ("de", "ar", "fa", "uk", "ru", "en", None)


async def set_menu(bot: Bot, texts: Phrases) -> None:
    """The command menu newcomers see, in their Telegram client's language."""
    for client_code in MENU_CLIENT_CODES:
        language = serving_language(client_code)
        await bot.set_my_commands([BotCommand(command, texts.say(f"command_{command}", language)) for command in MENU],
                                  scope=BotCommandScopeAllPrivateChats(), language_code=client_code)


def as_typed(text: str) -> str:
    """What a typed message is for Rasa: a known command as its intent, anything else as
    words, never as Rasa's `/intent{…}` syntax (its leading slashes are dropped)."""
    command = text.strip().split("@")[0]  # "/start@lotse_bot"
    if command in COMMANDS:
        return COMMANDS[command]
    return re.sub(r"^[\s/]+", "", text) if text.lstrip().startswith("/") else text


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    typed = as_typed(message_of(update).text or "")
    if typed.strip():
        await converse(context, update, message_of(update), typed)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A pressed inline button: answered at once (the spinner stops), then sent as its
    payload, if it is one of the buttons of the message it was pressed under (Lotse's own)."""
    query = update.callback_query
    if query is None:
        raise ValueError(f"update {update.update_id} is no pressed button")
    with contextlib.suppress(BadRequest):  # pressed long ago (a retry after Rasa was away): the press still counts
        await query.answer()
    # a message older than 48 hours is inaccessible: its buttons are unknown, so none counts
    message = query.message if isinstance(query.message, Message) else None
    markup = message.reply_markup if message else None
    offered = {button.callback_data for row in (markup.inline_keyboard if markup else ()) for button in row}
    if message is None or not isinstance(query.data, str) or query.data not in offered:
        logger.warning("a button's data that Lotse did not offer was ignored (update %s)", update.update_id)
        return
    await converse(context, update, message, query.data)


async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message is not a new turn; the newcomer hears how to correct instead."""
    language = serving_language(author_of(update).language_code)
    await context.bot.send_message(chat_of(update).id, lotse_of(context).texts.say("edit_not_read", language))


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    location = message_of(update).location
    if location is None:
        raise ValueError(f"update {update.update_id} carries no location")
    payload = "/inform_district" + json.dumps({"latitude": round(location.latitude, LOCATION_DECIMALS),
                                               "longitude": round(location.longitude, LOCATION_DECIMALS)})
    await converse(context, update, message_of(update), payload)


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Voice, photo, document, sticker, contact: for the advisor during a hand-over; otherwise
    a short note that Lotse reads text, with the way to a person."""
    lotse, message, user = lotse_of(context), message_of(update), author_of(update)
    case = await asyncio.to_thread(lotse.cases.active_case_of, lotse.sender_of(user.id))
    if case is not None:
        await lotse.mirror_to_advisors(context.bot, case, message)
        return
    language = await lotse.language_of(user)
    await message.reply_text(lotse.texts.say("media_not_read", language), reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton(lotse.texts.say("button_advisor", language), callback_data="/request_human")]]))


async def converse(context: ContextTypes.DEFAULT_TYPE, update: Update, message: Message, text: str) -> None:
    """One turn: mirrored first if an advisor has the conversation, then through Rasa (which
    keeps a paused conversation's messages for the record and does not answer them)."""
    lotse, user = lotse_of(context), author_of(update)
    sender = lotse.sender_of(user.id)
    case = await asyncio.to_thread(lotse.cases.active_case_of, sender)
    if case is not None and text == DELETE:  # erasing ends the advisor's conversation first
        await lotse.close_case(context.bot, case,
                               advisor_texts().say("case_closed_by_deletion", lotse.settings.advisor_language,
                                                                case=str(case.id)), tell_newcomer=False)
    elif case is not None and text == PRIVACY:  # paused Rasa would not answer; the notice is the same
        await context.bot.send_message(message.chat_id,
                                       privacy_notice(lotse.texts, case.language, lotse.settings.shared.retention_days))
        return
    elif case is not None and message.from_user and message.from_user.id == user.id:
        await lotse.mirror_to_advisors(context.bot, case, message)
    metadata = {"language_code": user.language_code} if user.language_code else {}
    replies = await lotse.rasa.send(sender, text, metadata)
    if not replies and case is None:  # an action failed (its server down): kept and tried again, not swallowed
        raise RasaUnavailable("Rasa gave no answer")
    for reply in replies:
        if reply.custom and "handover" in reply.custom:
            await lotse.hand_over(context.bot, sender, message.chat_id, reply.custom["handover"])
        elif reply.custom and reply.custom.get("delete_conversation"):
            await erase(context.bot, lotse, update, reply.custom["delete_conversation"])
        elif reply.text:
            await send_text(context.bot, message.chat_id, reply.text, html=True, markup=_keyboard(reply))


async def erase(bot: Bot, lotse: Lotse, update: Update, erasure: dict) -> None:
    """`/delete` confirmed: Rasa has erased the conversation (rasa_server/channel.py says whether
    it could); the adapter erases the advisors' forum topics of the newcomer's cases, the cases
    and the stored Telegram updates. "Deleted" is said only when all of it is gone."""
    sender, chat_id = lotse.sender_of(author_of(update).id), chat_of(update).id
    language = erasure.get("language") if erasure.get("language") in LANGUAGES else serving_language(
        author_of(update).language_code)
    erased = bool(erasure.get("erased"))
    try:
        for thread in await asyncio.to_thread(lotse.cases.threads_of, sender):
            await lotse.delete_topic(bot, thread)
        await asyncio.to_thread(lotse.cases.forget_sender, sender, chat_id, update.update_id)
    except Exception as error:  # noqa: BLE001 - the newcomer must hear that it did not work
        logger.error("erasing the adapter's records of %s failed: %s", sender, type(error).__name__)
        erased = False
    await bot.send_message(chat_id, lotse.texts.say("deleted" if erased else "delete_failed", language))
