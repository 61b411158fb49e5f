"""The newcomer's side: a private chat with Lotse. Text and pressed buttons go to Rasa under a
pseudonym with the client's language; Rasa's answers come back as HTML messages with inline
buttons. During a hand-over, whatever the newcomer sends is mirrored to the advisors."""

from __future__ import annotations

import json

from telegram import (
    Bot, BotCommand, BotCommandScopeAllPrivateChats, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from actions.phrases import phrases
from bot.lotse import lotse_of
from bot.rasa_client import BotReply, RasaUnavailable
from nlu.language import serving_language

LOCATION_DECIMALS = 2  # about 1 km: enough for the district, not a home address


def _keyboard(reply: BotReply) -> InlineKeyboardMarkup | None:
    """One button per row, as on a phone menu; the payload travels as callback data."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(title, callback_data=payload)] for title, payload in reply.buttons])


# Telegram commands newcomers see in the menu, as the intents Rasa knows them by.
COMMANDS = {"/delete": "/delete_data", "/language": "/choose_language"}
DELETE, PRIVACY = "/delete_data", "/privacy"


MENU = ("start", "language", "privacy", "delete")
# The client languages the menu is translated for (Dari speakers mostly run Persian, many
# Ukrainians Russian: serving_language maps them); without a code, English.
MENU_CLIENT_CODES = ("de", "ar", "fa", "uk", "ru", "en", None)


async def set_menu(bot: Bot) -> None:
    """The command menu newcomers see, in their Telegram client's language."""
    for client_code in MENU_CLIENT_CODES:
        language = serving_language(client_code)
        await bot.set_my_commands([BotCommand(command, phrases().say(f"command_{command}", language)) for command in MENU],
                                  scope=BotCommandScopeAllPrivateChats(), language_code=client_code)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = update.effective_message.text
    await converse(context, update.effective_message, update.effective_user, COMMANDS.get(text.strip(), text))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A pressed inline button: answered at once (the spinner stops), then sent as its payload."""
    query = update.callback_query
    await query.answer()
    await converse(context, query.message, update.effective_user, query.data)


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    location = update.effective_message.location
    payload = "/inform_district" + json.dumps({"latitude": round(location.latitude, LOCATION_DECIMALS),
                                               "longitude": round(location.longitude, LOCATION_DECIMALS)})
    await converse(context, update.effective_message, update.effective_user, payload)


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Voice, photo, document, sticker, contact: for the advisor during a hand-over; otherwise
    a short note that Lotse reads text, with the way to a person."""
    lotse, message, user = lotse_of(context), update.effective_message, update.effective_user
    case = lotse.cases.active_case_of(lotse.sender_of(user.id))
    if case is not None:
        await lotse.mirror_to_advisors(context.bot, case, message)
        return
    language = await lotse.language_of(user)
    await message.reply_text(phrases().say("media_not_read", language), reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton(phrases().say("button_advisor", language), callback_data="/request_human")]]))


async def converse(context: ContextTypes.DEFAULT_TYPE, message: Message, user: User, text: str) -> None:
    """One turn: mirrored first if an advisor has the conversation, then through Rasa (which
    keeps a paused conversation's messages for the record and does not answer them)."""
    lotse = lotse_of(context)
    sender = lotse.sender_of(user.id)
    case = lotse.cases.active_case_of(sender)
    if case is not None and text == DELETE:  # erasing ends the advisor's conversation first
        await lotse.close_case(context.bot, case, phrases().say("case_closed_by_deletion", lotse.settings.advisor_language,
                                                                case=str(case.id)), tell_newcomer=False)
    elif case is not None and text == PRIVACY:  # paused Rasa would not answer; the notice is the same
        await context.bot.send_message(message.chat_id, phrases().say("privacy", case.language))
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
            lotse.cases.forget_sender(sender)
        elif reply.text:
            await context.bot.send_message(message.chat_id, reply.text, parse_mode=ParseMode.HTML,
                                           reply_markup=_keyboard(reply))
