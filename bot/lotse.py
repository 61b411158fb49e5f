"""What both sides of the adapter share: the settings, the case store, the Rasa client and the
pseudonym key, plus the two moves between the sides: opening a case in the advisors' group
and mirroring a message into it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from html import escape
from typing import Any

from telegram import Bot, Chat, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.pseudonym import pseudonym
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.settings import Settings
from bot.telegram_text import one_line, plain_text, split_html, split_message
from cases.store import Case, CaseStore
from cities import City
from texts import DEFAULT_LANGUAGE, LANGUAGES, Phrases, advisor_texts, serving_language

logger = logging.getLogger(__name__)
PRIORITY_ICON = {"urgent": "🔴", "normal": "🟢"}
TRANSCRIPT_LINE_CHARACTERS = 300


class AdvisorsGroupRefused(Exception):
    """Telegram refused what a case needs in the advisors' group: the update is tried again."""


@dataclass
class Lotse:
    settings: Settings
    cases: CaseStore
    rasa: RasaClient
    pseudonym_key: bytes
    city: City
    texts: Phrases  # what newcomers are told, bound to the city

    def sender_of(self, telegram_user_id: int) -> str:
        return pseudonym(telegram_user_id, self.pseudonym_key)

    async def language_of(self, user: User) -> str:
        """The conversation's language as Rasa knows it; else the Telegram client's; else English."""
        try:
            language = await self.rasa.slot(self.sender_of(user.id), "language")
        except RasaUnavailable:
            language = None
        return language if language in LANGUAGES else serving_language(user.language_code)

    async def hand_over(self, bot: Bot, sender: str, chat_id: int, request: dict[str, Any]) -> Case:
        """Opens the newcomer's case (or raises an open one to urgent) and its forum topic."""
        case, new = await asyncio.to_thread(self.cases.open_case, sender, chat_id,
                                            request.get("language") or DEFAULT_LANGUAGE,
                                         request.get("topic"), request.get("priority") or "normal",
                                         request.get("reason"))
        if new:  # the newcomer hears at once; the group's posts may wait for Telegram's 20 a minute
            await bot.send_message(chat_id, await self.waiting_note(case))
        if case.thread_id is None:
            case = await self._open_topic(bot, case, request.get("summary", []))
        return case

    async def _open_topic(self, bot: Bot, case: Case, summary: list[str]) -> Case:
        """The case's forum topic, whose first post gives the advisors the language, the topic and
        the last messages, and mentions who speaks the language. Refused by Telegram (the bot lost
        its rights, the group is no forum any more), the update is tried again: the case keeps
        no topic until then, and the next try (or the newcomer's next message) opens it."""
        try:
            transcript = await self.rasa.transcript(case.sender)
        except RasaUnavailable:
            transcript = [("newcomer", line) for line in summary]
        # one line per message, whatever the newcomer typed: nobody can forge a line of Lotse's
        lines = "\n".join(f"{'👤' if who == 'newcomer' else '🤖'} {one_line(text, TRANSCRIPT_LINE_CHARACTERS)}"
                          for who, text in transcript) or "-"
        icon = PRIORITY_ICON[case.priority]
        try:
            topic = await bot.create_forum_topic(self.settings.advisors_chat,
                                                 f"{icon} #{case.id} · {case.language} · {case.topic or '-'}")
        except TelegramError as refused:
            raise AdvisorsGroupRefused(f"no topic for case {case.id}: {refused.message}") from None
        case = await asyncio.to_thread(self.cases.set_thread, case.id, topic.message_thread_id)
        text = advisor_texts().say("case_opened", self.settings.advisor_language, icon=icon, case=str(case.id),
                             case_language=case.language, topic=case.topic or "-", priority=case.priority,
                             reason=case.reason or "-", transcript=lines)
        await send_text(bot, self.settings.advisors_chat, text, thread=case.thread_id)
        await bot.send_message(self.settings.advisors_chat, await self.routing_note(case.language),
                               parse_mode=ParseMode.HTML, message_thread_id=case.thread_id)
        logger.info("case %s opened (%s, %s)", case.id, case.language, case.priority)
        return case

    async def waiting_note(self, case: Case) -> str:
        """Honest about the wait: how many are ahead, or when the advisors are back."""
        now = self.city.now()
        back = None if self.settings.office_hours.is_open(now) else self.settings.office_hours.next_opening(now)
        if back is None:
            return self.texts.say("queue_position", case.language,
                                  count=str(await asyncio.to_thread(self.cases.waiting_before, case.id)))
        return self.texts.say("office_closed", case.language, weekday=self.texts.weekday(back.weekday(), case.language),
                             time=f"{back:%H:%M}")

    async def advisors(self) -> dict[int, tuple[str, tuple[str, ...]]]:
        """Registered advisors (name, languages): those `/register`ed and the configured ids."""
        configured = {user_id: (f"advisor {user_id}", ()) for user_id in self.settings.advisor_ids}
        return {**configured, **await asyncio.to_thread(self.cases.advisors)}

    async def routing_note(self, language: str) -> str:
        """Mentions the advisors who speak the newcomer's language; if nobody does, everyone."""
        advisors = await self.advisors()
        speaking = {user_id: name for user_id, (name, languages) in advisors.items() if language in languages}
        chosen = speaking or {user_id: name for user_id, (name, _) in advisors.items()}
        mentions = ", ".join(f'<a href="tg://user?id={user_id}">{escape(name)}</a>' for user_id, name in chosen.items())
        return escape_phrase("routing_mention" if speaking else "routing_nobody", self.settings.advisor_language,
                             case_language=language, advisors=mentions)

    async def close_case(self, bot: Bot, case: Case, advisors_note: str, tell_newcomer: bool = True) -> Case:
        """Rasa answers the newcomer again, the case is closed and so is its topic."""
        await self.rasa.resume(case.sender)
        case = await asyncio.to_thread(self.cases.close, case.id)
        if tell_newcomer:
            await bot.send_message(case.chat_id, self.texts.say("advisor_closed", case.language))
        if case.thread_id is not None:
            await bot.send_message(self.settings.advisors_chat, advisors_note, message_thread_id=case.thread_id)
            await bot.close_forum_topic(self.settings.advisors_chat, case.thread_id)
        return case

    async def delete_topic(self, bot: Bot, thread: int) -> None:
        """Deletes a case's forum topic with everything in it; one already gone is fine."""
        try:
            await bot.delete_forum_topic(self.settings.advisors_chat, thread)
        except BadRequest as refused:
            if not any(gone in refused.message.lower() for gone in ("not found", "topic_id_invalid")):
                raise

    async def hand_over_unanswered(self, bot: Bot, update: Update, urgent: bool) -> None:
        """Rasa stayed unreachable, or the message names a crisis while it is: the waiting
        message goes to an advisor, in a case of its own."""
        user, message = author_of(update), update.message  # not a pressed button's message: that is Lotse's
        case = await self.hand_over(bot, self.sender_of(user.id), chat_of(update).id, {
            "language": serving_language(user.language_code), "priority": "urgent" if urgent else "normal",
            "reason": "emergency" if urgent else "lotse_unavailable",
            "summary": [written(message)] if message else []})
        if message is not None:
            await self.mirror_to_advisors(bot, case, message)

    async def mirror_to_advisors(self, bot: Bot, case: Case, message: Message) -> None:
        """Copies a newcomer's message (text or media) into the case's topic, once. A case
        without a topic gets one, a topic somebody deleted is made anew and one closed by hand
        is reopened, so that the case is not stuck; a copy that fails is released, so that the
        retried update copies it."""
        if not await asyncio.to_thread(self.cases.claim_mirror, case.id, "in", message.chat_id, message.message_id):
            return
        try:
            if case.thread_id is None:
                case = await self._open_topic(bot, case, [written(message)])
            try:
                copied = await bot.copy_message(self.settings.advisors_chat, message.chat_id, message.message_id,
                                                message_thread_id=case.thread_id)
            except BadRequest as refused:
                problem = refused.message.lower()
                if "thread not found" in problem:
                    logger.warning("the topic of case %s is gone; opening a new one", case.id)
                    case = await self._open_topic(bot, case, [written(message)])
                    await bot.send_message(self.settings.advisors_chat, advisor_texts().say(
                        "topic_recreated", self.settings.advisor_language, case=str(case.id)),
                        message_thread_id=case.thread_id)
                elif "topic_closed" in problem and case.thread_id is not None:
                    await bot.reopen_forum_topic(self.settings.advisors_chat, case.thread_id)
                else:
                    raise
                copied = await bot.copy_message(self.settings.advisors_chat, message.chat_id, message.message_id,
                                                message_thread_id=case.thread_id)
        except BaseException:
            await asyncio.to_thread(self.cases.release_mirror, message.chat_id, message.message_id)
            raise
        await asyncio.to_thread(self.cases.mirrored, message.chat_id, message.message_id, copied.message_id)


def written(message: Message | None) -> str:
    """What the newcomer wrote in a message: its text, a media's caption, or nothing."""
    return (message.text or message.caption or "") if message else ""


async def send_text(bot: Bot, chat_id: int, text: str, html: bool = False, markup: InlineKeyboardMarkup | None = None,
                    thread: int | None = None) -> None:
    """Sends a text of any length: in parts within Telegram's limit, cut at line ends, the
    buttons under the last part. When Telegram refuses the HTML or the buttons, the same text
    goes out as plain text (without the buttons if they were the trouble): a refusal must never
    make the turn run again, nor leave the newcomer without an answer."""
    parts = split_html(text) if html else split_message(text)
    parts = [part for part in parts if part.strip()]  # Telegram refuses a blank message
    for number, part in enumerate(parts):
        buttons = markup if number == len(parts) - 1 else None
        try:
            await bot.send_message(chat_id, part, parse_mode=ParseMode.HTML if html else None, reply_markup=buttons,
                                   message_thread_id=thread)
            continue
        except BadRequest as refused:
            if "thread not found" in refused.message.lower():
                raise
            logger.warning("Telegram refused a message (%s); sending it as plain text", refused.message)
        for plain_part in split_message(plain_text(part) if html else part):
            try:
                await bot.send_message(chat_id, plain_part, reply_markup=buttons, message_thread_id=thread)
            except BadRequest as refused:
                if buttons is None:
                    raise
                logger.warning("Telegram refused the buttons (%s); sending the text alone", refused.message)
                await bot.send_message(chat_id, plain_part, message_thread_id=thread)


def escape_phrase(key: str, language: str, **html_values: str) -> str:
    """A phrase for an HTML message: its own text escaped, the values (already HTML) not."""
    placeholders = {name: f"\x00{name}\x00" for name in html_values}
    text = escape(advisor_texts().say(key, language, **placeholders))
    for name, value in html_values.items():
        text = text.replace(f"\x00{name}\x00", value)
    return text


def lotse_of(context: ContextTypes.DEFAULT_TYPE) -> Lotse:
    return context.application.bot_data["lotse"]


# The handlers' filters let only updates with a message, its author and its chat through;
# these say so to the type checker, and fail loudly if a filter ever lets another one in.
def message_of(update: Update) -> Message:
    if update.effective_message is None:
        raise ValueError(f"update {update.update_id} carries no message")
    return update.effective_message


def author_of(update: Update) -> User:
    if update.effective_user is None:
        raise ValueError(f"update {update.update_id} has no author")
    return update.effective_user


def chat_of(update: Update) -> Chat:
    if update.effective_chat is None:
        raise ValueError(f"update {update.update_id} belongs to no chat")
    return update.effective_chat
