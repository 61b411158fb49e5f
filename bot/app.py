"""The adapter as a python-telegram-bot `Application`: handlers for both sides, per-chat
ordering, and an inbox in the database between Telegram and the handlers. Updates are fetched
by our own polling loop (or webhook), stored, and only then confirmed to Telegram; an update
is marked processed when every handler is done with it. A crash or restart in between means
the update is handled again, never lost; a handled one is skipped."""

from __future__ import annotations

import asyncio
import logging
import weakref
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable

from telegram import Update
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import (
    AIORateLimiter, Application, ApplicationBuilder, ApplicationHandlerStop, BaseUpdateProcessor,
    CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, TypeHandler, filters,
)

from actions.phrases import phrases
from bot import advisors, newcomers
from bot.lotse import Lotse, lotse_of
from bot.rasa_client import RasaUnavailable
from nlu.language import serving_language

logger = logging.getLogger(__name__)
POLL_SECONDS = 25
DONE_GROUP = 100
QUEUED = "queued_update_ids"  # bot_data key: updates waiting for or in the handlers
FAILED_ATTEMPTS_BEFORE_GIVING_UP = 5
SERVER_ERROR_PAUSES = (0.5, 1.0, 2.0, 4.0)  # seconds before each new try when Telegram answers 5xx


class PerChatOrder(BaseUpdateProcessor):
    """One newcomer's updates one after another, different chats at the same time."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else 0
        lock = self._locks.get(chat)
        if lock is None:
            lock = self._locks[chat] = asyncio.Lock()
        async with lock:
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
    """Hands an update to the handlers unless it is already waiting or being handled: under
    load, the retry loop would otherwise queue every slow update again and again."""
    queued: set[int] = application.bot_data.setdefault(QUEUED, set())
    if update.update_id not in queued:
        queued.add(update.update_id)
        await application.update_queue.put(update)


def _done_with(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.application.bot_data.setdefault(QUEUED, set()).discard(update.update_id)


async def _skip_handled(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if lotse_of(context).cases.is_processed(update.update_id):
        _done_with(update, context)
        raise ApplicationHandlerStop


async def _mark_handled(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lotse_of(context).cases.mark_processed(update.update_id)
    _done_with(update, context)


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The update stays unprocessed in the inbox and is tried again; the newcomer hears once
    that Lotse cannot answer right now (unless an advisor has the conversation), and when Rasa
    stays away longer than `give_up_after` the message goes to an advisor instead. Message
    text is never logged."""
    if not isinstance(update, Update):
        logger.error("error outside an update", exc_info=context.error)
        return
    _done_with(update, context)  # the retry loop may queue it again
    lotse = lotse_of(context)
    attempts, received_at = lotse.cases.attempt(update.update_id)
    from_newcomer = bool(update.effective_chat and update.effective_chat.type == "private")
    if isinstance(context.error, RasaUnavailable):  # an advisor's /close simply waits for Rasa
        logger.warning("Rasa unavailable for update %s (attempt %s): %s", update.update_id, attempts, context.error)
        if from_newcomer and datetime.now(timezone.utc) - received_at >= lotse.settings.give_up_after:
            await lotse.hand_over_unanswered(context.bot, update)
            lotse.cases.mark_processed(update.update_id)
        elif from_newcomer and attempts == 1 and not lotse.cases.active_case_of(lotse.sender_of(update.effective_user.id)):
            # Rasa is down (in a hand-over the advisor has the message: nothing to apologise for);
            # the client's language, not a slot read from Rasa
            await context.bot.send_message(update.effective_chat.id, phrases().say(
                "lotse_unavailable", serving_language(update.effective_user.language_code)))
    else:
        logger.error("update %s failed (attempt %s)", update.update_id, attempts, exc_info=context.error)
        if attempts >= FAILED_ATTEMPTS_BEFORE_GIVING_UP:  # a fault in the update itself: retrying cannot help
            lotse.cases.mark_processed(update.update_id)
    raise ApplicationHandlerStop


def build_application(lotse: Lotse) -> Application:
    settings = lotse.settings
    builder: ApplicationBuilder = Application.builder().token(settings.token).updater(None).job_queue(None)
    builder = builder.concurrent_updates(PerChatOrder()).rate_limiter(PatientRateLimiter(
        overall_max_rate=settings.messages_per_second, group_max_rate=settings.group_messages_per_minute, max_retries=3))
    if settings.bot_api:
        builder = builder.base_url(f"{settings.bot_api}/bot").base_file_url(f"{settings.bot_api}/file/bot")
    application = builder.build()
    application.bot_data["lotse"] = lotse

    private = filters.ChatType.PRIVATE
    group = filters.Chat(settings.advisors_chat)
    media = (filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO | filters.VIDEO_NOTE | filters.Document.ALL
             | filters.Sticker.ALL | filters.CONTACT)
    application.add_handler(TypeHandler(Update, _skip_handled), group=-1)
    application.add_handlers([
        MessageHandler(private & filters.TEXT, newcomers.on_text),
        MessageHandler(private & filters.LOCATION, newcomers.on_location),
        MessageHandler(private & media, newcomers.on_media),
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


async def poll(application: Application, stop: asyncio.Event) -> None:
    """Fetch, store, then confirm (by asking for the next offset); hand stored updates to the
    handlers. Unfinished ones from before a restart are handed over first."""
    lotse: Lotse = application.bot_data["lotse"]
    bot = application.bot
    for payload in lotse.cases.unprocessed():
        await enqueue(application, Update.de_json(payload, bot))
    # Without an offset Telegram returns every update not yet confirmed, and nothing is
    # confirmed before it is stored; ids are not taken from the store, because Telegram
    # may restart them at random after a quiet week (and the fake Bot API on each start).
    offset = None
    while not stop.is_set():
        try:
            updates = await bot.get_updates(offset=offset, timeout=POLL_SECONDS, allowed_updates=Update.ALL_TYPES)
        except Exception:  # a network error must not end the loop
            logger.exception("getUpdates failed; trying again")
            await asyncio.sleep(2)
            continue
        if updates:
            lotse.cases.receive([u.to_dict() for u in updates])
            offset = updates[-1].update_id + 1
            for update in updates:
                await enqueue(application, update)


async def retry_unfinished(application: Application, every: timedelta) -> None:
    """Updates a handler could not finish (Rasa down) go round again, until cancelled."""
    lotse: Lotse = application.bot_data["lotse"]
    while True:
        await asyncio.sleep(every.total_seconds())
        for payload in lotse.cases.unprocessed(received_before=datetime.now(timezone.utc) - every):
            await enqueue(application, Update.de_json(payload, application.bot))
