"""The adapter as a python-telegram-bot `Application`: handlers for both sides, per-chat
ordering, and an inbox in the database between Telegram and the handlers. Updates are fetched
by our own polling loop (or webhook), stored, and only then confirmed to Telegram; an update
is marked processed when every handler is done with it. A crash or restart in between means
the update is handled again, never lost; a handled one is skipped."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import advisors, newcomers
from bot.liveness import Liveness, every_cycle
from bot.lotse import AdvisorsGroupRefused, Lotse, author_of, chat_of, lotse_of, written
from bot.rasa_client import RasaUnavailable
from nlu.crisis import mentions_crisis
from texts import Phrases, serving_language

logger = logging.getLogger(__name__)
POLL_SECONDS = 25
DONE_GROUP = 100
QUEUED = "queued_update_ids"  # bot_data key: updates waiting for or in the handlers, with their chat
BACKLOG_PER_CHAT = 20  # more of one chat's updates wait in the inbox, not in memory
FAILED_ATTEMPTS_BEFORE_GIVING_UP = 5
SERVER_ERROR_PAUSES = (0.5, 1.0, 2.0, 4.0)  # seconds before each new try when Telegram answers 5xx
MARK_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0)  # seconds between tries to mark an answered update handled
# the background loops, as /health names them
POLLING, RETRYING, DELETING = "polling", "retrying", "deleting old topics"


class PerChatOrder(BaseUpdateProcessor):
    """One newcomer's updates one after another, different chats at the same time. The chat's
    turn comes before a slot of the overall limit: a newcomer sending a flood waits behind
    their own messages and holds one slot, not all of them."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    # python-telegram-bot marks process_update final (subclasses are meant to override only
    # do_process_update), but the chat's lock has to come before the limit's slot is taken.
    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:  # type: ignore[misc]
        chat = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else 0
        lock = self._locks.get(chat)
        if lock is None:
            lock = self._locks[chat] = asyncio.Lock()
        async with lock:
            await super().process_update(update, coroutine)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class PatientRateLimiter(AIORateLimiter):
    """Telegram's limits, with its `retry_after` honoured (AIORateLimiter); and a request that
    Telegram answered with a server error (5xx) or that never reached it is tried again after
    a growing pause, so that an answer is not lost to a moment of Telegram trouble. A refused
    request (400) or a timeout is not repeated: a timed-out message may have arrived."""

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        for pause in (*SERVER_ERROR_PAUSES, None):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as error:
                if pause is None or isinstance(error, (BadRequest, TimedOut)):
                    raise
                logger.warning("Telegram answered %s to %s; trying again in %s s", error, endpoint, pause)
                await asyncio.sleep(pause)


async def enqueue(application: Application, update: Update) -> None:
    """Hands an update to the handlers unless it is already waiting or being handled (under
    load, the retry loop would otherwise queue every slow update again and again), or its chat
    has a full backlog: then it waits in the inbox, and the retry loop brings it later."""
    queued: dict[int, int | None] = application.bot_data.setdefault(QUEUED, {})
    chat = update.effective_chat.id if update.effective_chat else None
    if update.update_id in queued or (
            chat is not None and sum(waiting == chat for waiting in queued.values()) >= BACKLOG_PER_CHAT):
        return
    queued[update.update_id] = chat
    await application.update_queue.put(update)


def _done_with(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.application.bot_data.setdefault(QUEUED, {}).pop(update.update_id, None)


async def _skip_handled(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await asyncio.to_thread(lotse_of(context).cases.is_processed, update.update_id):
        _done_with(update, context)
        raise ApplicationHandlerStop


async def _mark_handled(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The answers went out: the mark is tried for a while, since an update left unmarked would
    run through Rasa again and be answered twice."""
    for pause in (*MARK_PAUSES, None):
        try:
            await asyncio.to_thread(lotse_of(context).cases.mark_processed, update.update_id)
            break
        except SQLAlchemyError:
            if pause is None:
                raise
            await asyncio.sleep(pause)
    _done_with(update, context)


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The update stays unprocessed in the inbox and is tried again; the newcomer hears once
    that Lotse cannot answer right now, with the emergency numbers (unless an advisor has the
    conversation). A message naming a crisis goes to an advisor at once as urgent; any other
    goes when Rasa stays away longer than `give_up_after`. Message text is never logged."""
    if not isinstance(update, Update):
        logger.error("error outside an update", exc_info=context.error)
        return
    _done_with(update, context)  # the retry loop may queue it again
    lotse = lotse_of(context)
    attempts, received_at = await asyncio.to_thread(lotse.cases.attempt, update.update_id)
    from_newcomer = bool(update.effective_chat and update.effective_chat.type == "private")
    if isinstance(context.error, RasaUnavailable):  # an advisor's /close simply waits for Rasa
        logger.warning("Rasa unavailable for update %s (attempt %s): %s", update.update_id, attempts, context.error)
        if from_newcomer:
            await _while_rasa_is_away(context.bot, lotse, update, attempts, received_at)
    elif isinstance(context.error, (BadRequest, Forbidden)):
        # Telegram said no (a newcomer who blocked the bot, a chat that is gone): the turn ran
        # and Rasa has it; running it again would only ask the same question twice.
        logger.warning("update %s: Telegram refused (%s); not tried again", update.update_id, context.error.message)
        await asyncio.to_thread(lotse.cases.mark_processed, update.update_id)
    elif isinstance(context.error, (SQLAlchemyError, AdvisorsGroupRefused)):
        # the database away, or the advisors' group refusing a topic: tried again until it is fixed
        error = context.error
        logger.warning("update %s not finished, tried again: %s", update.update_id,
                       error if isinstance(error, AdvisorsGroupRefused) else type(error).__name__)
    else:
        logger.error("update %s failed (attempt %s): %s", update.update_id, attempts, type(context.error).__name__)
        if attempts >= FAILED_ATTEMPTS_BEFORE_GIVING_UP:  # a fault in the update itself: retrying cannot help
            await asyncio.to_thread(lotse.cases.mark_processed, update.update_id)
            if from_newcomer:  # not left without a word
                await context.bot.send_message(chat_of(update).id, lotse.texts.say(
                    "action_failed", serving_language(author_of(update).language_code)))
    raise ApplicationHandlerStop


def unavailable_note(texts: Phrases, language: str) -> str:
    """What a newcomer hears when Lotse cannot answer: that, and where help is in an emergency."""
    return texts.say("lotse_unavailable", language) + "\n\n" + texts.say("emergency", language)


async def _while_rasa_is_away(bot: Bot, lotse: Lotse, update: Update, attempts: int, received_at: datetime) -> None:
    # the client's language, not a slot read from Rasa, which is away
    language = serving_language(author_of(update).language_code)
    case = await asyncio.to_thread(lotse.cases.active_case_of, lotse.sender_of(author_of(update).id))
    if attempts == 1 and case is None:  # in a hand-over the advisor has the message: nothing to apologise for
        await bot.send_message(chat_of(update).id, unavailable_note(lotse.texts, language))
    text = written(update.message)  # not a pressed button's message: that is Lotse's
    crisis = mentions_crisis(text)
    # In a hand-over the message was mirrored before Rasa was asked: retried once the case is
    # closed, Rasa would answer it as a new question. Rasa's transcript lacks it; the topic has it.
    in_hand_over = case is not None and update.message is not None and not text.startswith("/")
    if crisis or in_hand_over or datetime.now(timezone.utc) - received_at >= lotse.settings.give_up_after:
        await lotse.hand_over_unanswered(bot, update, urgent=crisis)
        await asyncio.to_thread(lotse.cases.mark_processed, update.update_id)


def build_application(lotse: Lotse) -> Application:
    settings = lotse.settings
    builder: ApplicationBuilder = Application.builder().token(settings.token).updater(None).job_queue(None)
    builder = builder.concurrent_updates(PerChatOrder()).rate_limiter(PatientRateLimiter(
        overall_max_rate=settings.messages_per_second, group_max_rate=settings.group_messages_per_minute,
        max_retries=3))
    if settings.bot_api:
        builder = builder.base_url(f"{settings.bot_api}/bot").base_file_url(f"{settings.bot_api}/file/bot")
    application = builder.build()
    application.bot_data["lotse"] = lotse

    # edited messages are no new turns (PTB hands them to message handlers too)
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    group = filters.Chat(settings.advisors_chat) & filters.UpdateType.MESSAGE
    media = (filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO | filters.VIDEO_NOTE | filters.Document.ALL
             | filters.Sticker.ALL | filters.CONTACT)
    application.add_handler(TypeHandler(Update, _skip_handled), group=-1)
    application.add_handlers([
        MessageHandler(private & filters.TEXT, newcomers.on_text),
        MessageHandler(private & filters.LOCATION, newcomers.on_location),
        MessageHandler(private & media, newcomers.on_media),
        # a live location arrives as edits of its message: those are no corrections
        MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE & filters.TEXT, newcomers.on_edit),
        CallbackQueryHandler(newcomers.on_button),
        CommandHandler("claim", advisors.on_claim, filters=group),
        CommandHandler("close", advisors.on_close, filters=group),
        CommandHandler("lang", advisors.on_lang, filters=group),
        CommandHandler("queue", advisors.on_queue, filters=group),
        CommandHandler("status", advisors.on_status, filters=group),
        CommandHandler("languages", advisors.on_languages, filters=group),
        CommandHandler("register", advisors.on_register, filters=group),
        CommandHandler(("help", "start"), advisors.on_help, filters=group),
        MessageHandler(group & filters.IS_TOPIC_MESSAGE & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
                       advisors.on_reply),
    ])
    application.add_handler(TypeHandler(Update, _mark_handled), group=DONE_GROUP)
    application.add_error_handler(_on_error)
    return application


async def poll(application: Application, liveness: Liveness) -> None:
    """Fetch, store, then confirm (by asking for the next offset); hand stored updates to the
    handlers. Unfinished ones from before a restart are handed over first. A failed cycle
    (Telegram or the database away) is tried again after a growing pause: what was fetched
    but not stored is not confirmed, so Telegram sends it again."""
    lotse: Lotse = application.bot_data["lotse"]
    bot = application.bot
    # Without an offset Telegram returns every update not yet confirmed, and nothing is
    # confirmed before it is stored; ids are not taken from the store, because Telegram
    # may restart them at random after a quiet week (and the fake Bot API on each start).
    offset: int | None = None
    resumed = False

    async def cycle() -> None:
        nonlocal offset, resumed
        if not resumed:
            for payload in await asyncio.to_thread(lotse.cases.unprocessed):
                await enqueue(application, Update.de_json(payload, bot))
            resumed = True
        updates = await bot.get_updates(offset=offset, timeout=POLL_SECONDS, allowed_updates=Update.ALL_TYPES)
        if updates:
            await asyncio.to_thread(lotse.cases.receive, [u.to_dict() for u in updates])
            offset = updates[-1].update_id + 1
            for update in updates:
                await enqueue(application, update)

    await every_cycle(POLLING, cycle, liveness)


async def retry_unfinished(application: Application, every: timedelta, liveness: Liveness) -> None:
    """Updates a handler could not finish (Rasa down) go round again, until cancelled."""
    lotse: Lotse = application.bot_data["lotse"]

    async def cycle() -> None:
        for payload in await asyncio.to_thread(lotse.cases.unprocessed, datetime.now(timezone.utc) - every):
            await enqueue(application, Update.de_json(payload, application.bot))

    await asyncio.sleep(every.total_seconds())
    await every_cycle(RETRYING, cycle, liveness, pause=every.total_seconds())


async def delete_old_topics(application: Application, every: timedelta, liveness: Liveness) -> None:
    """Deletes the forum topics of cases the retention job deleted (it cannot reach Telegram),
    until cancelled; a topic Telegram refuses stays queued for the next round."""
    lotse: Lotse = application.bot_data["lotse"]

    async def cycle() -> None:
        for thread in await asyncio.to_thread(lotse.cases.topics_to_delete):
            await lotse.delete_topic(application.bot, thread)
            await asyncio.to_thread(lotse.cases.topic_deleted, thread)

    await every_cycle(DELETING, cycle, liveness, pause=every.total_seconds(),
                      after_failure=lambda failures: every.total_seconds())
