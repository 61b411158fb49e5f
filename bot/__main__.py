"""`python -m bot`: the Telegram adapter. Polling by default; with LOTSE_WEBHOOK_URL, a webhook
(LOTSE_HTTP_PORT, default 8443) that accepts only requests carrying Telegram's
`secret_token` header (LOTSE_WEBHOOK_SECRET). GET /health on the same port (in polling mode
when LOTSE_HTTP_PORT is set) says whether the database answers. Without TELEGRAM_BOT_TOKEN
it talks to the local fake Bot API (LOTSE_BOT_API, default http://127.0.0.1:8081)."""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Bot, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import Application

from bot.advisors import remind_of_the_queue
from bot.app import (
    DELETING,
    POLL_SECONDS,
    POLLING,
    RETRYING,
    build_application,
    delete_old_topics,
    enqueue,
    poll,
    retry_unfinished,
)
from bot.liveness import Liveness
from bot.log_privacy import keep_logs_private
from bot.lotse import Lotse
from bot.newcomers import set_menu
from bot.pseudonym import pseudonym_key
from bot.rasa_client import RasaClient
from bot.settings import Settings
from cases.office_hours import remind_at_openings
from cases.store import CaseStore
from cities import City, configured_city
from configuration import ConfigurationError, Environment
from db import open_current
from knowledge.store import PROJECT_ROOT
from texts import newcomer_texts

logger = logging.getLogger("bot")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
REMINDING = "office-hours reminder"
REMINDER_CHECK_SECONDS = 60.0
TOPIC_DELETION_EVERY = timedelta(minutes=5)


def http_app(application: Application, secret: str | None, liveness: Liveness) -> web.Application:
    """GET /health; with a webhook secret also Telegram's POSTs: checked, stored in the
    inbox, answered 200 only once stored."""
    lotse: Lotse = application.bot_data["lotse"]

    async def receive(request: web.Request) -> web.Response:
        if not secret or not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            logger.warning("webhook request without the right secret token rejected")
            return web.Response(status=403)
        try:
            payload = await request.json()
            update = Update.de_json(payload, application.bot)
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="not a Telegram update")
        await asyncio.to_thread(lotse.cases.receive, [payload])
        await enqueue(application, update)
        return web.Response(text="ok")

    async def health(request: web.Request) -> web.Response:
        problems = liveness.problems()
        if not await asyncio.to_thread(lotse.cases.reachable):
            problems.append("database unreachable")
        if problems:
            return web.Response(status=503, text="\n".join(problems))
        return web.Response(text="ok")

    app = web.Application()
    if secret:
        app.router.add_post("/telegram", receive)
    app.router.add_get("/health", health)  # for load balancers and container health checks
    return app


async def check_advisors_group(bot: Bot, chat_id: int) -> None:
    """Refuses to start unless the advisors' chat is a forum where the bot may open, close and
    delete topics: otherwise every hand-over would open a case that no advisor ever sees."""
    where = f"LOTSE_ADVISORS_CHAT_ID={chat_id}"
    try:
        chat = await bot.get_chat(chat_id)
        member = await bot.get_chat_member(chat_id, bot.id)
    except TelegramError as error:
        raise SystemExit(f"{where}: Telegram does not show the bot this chat ({error.message}); "
                         "add the bot to the advisors' group") from None
    if not chat.is_forum:
        raise SystemExit(f"{where}: the advisors' group must be a forum: turn on Topics in its settings")
    rights = ("can_manage_topics", "can_delete_messages")
    if member.status != ChatMemberStatus.ADMINISTRATOR or not all(getattr(member, right, False) for right in rights):
        raise SystemExit(f"{where}: make the bot an administrator of the advisors' group with the rights to "
                         "manage topics and to delete messages")


async def run(settings: Settings, key: bytes, city: City) -> int:
    """Serves until SIGINT or SIGTERM (exit code 0), or until a background loop dies (1)."""
    engine = open_current(settings.shared.database_url)
    rasa = RasaClient(settings.rasa_url, settings.rasa_token)
    lotse = Lotse(settings, CaseStore(engine), rasa, key, city, newcomer_texts().bound(city.phrase_values()))
    application = build_application(lotse)
    stop, liveness = asyncio.Event(), Liveness()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)

    def in_background(loop: str, cycle_within: float, work: Coroutine[Any, Any, None]) -> asyncio.Task:
        liveness.expect(loop, cycle_within)
        task = asyncio.create_task(work)
        liveness.watch(task, loop, stop)
        return task

    async with application:
        await check_advisors_group(application.bot, settings.advisors_chat)
        await application.start()
        await set_menu(application.bot, lotse.texts)
        background = [in_background(RETRYING, 3 * settings.retry_every.total_seconds() + 60,
                                    retry_unfinished(application, settings.retry_every, liveness)),
                      in_background(DELETING, 3 * TOPIC_DELETION_EVERY.total_seconds() + 60,
                                    delete_old_topics(application, TOPIC_DELETION_EVERY, liveness))]
        if not settings.office_hours.always:
            background.append(in_background(REMINDING, 3 * REMINDER_CHECK_SECONDS, remind_at_openings(
                settings.office_hours, lambda: remind_of_the_queue(application.bot, lotse), lotse.city.now,
                check_every=REMINDER_CHECK_SECONDS, cycle_done=lambda: liveness.cycle_done(REMINDING))))
        runner = web.AppRunner(http_app(application, settings.webhook_secret if settings.webhook_url else None,
                                        liveness))
        await runner.setup()
        if settings.http_port is not None:
            await web.TCPSite(runner, settings.http_host, settings.http_port).start()
        if settings.webhook_url:
            await application.bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret,
                                              allowed_updates=Update.ALL_TYPES)
            logger.info("webhook mode")
        else:
            await application.bot.delete_webhook()
            logger.info("polling %s", settings.bot_api or "Telegram")
            background.append(in_background(POLLING, 3 * POLL_SECONDS, poll(application, liveness)))
        await stop.wait()
        await runner.cleanup()
        for task in background:
            task.cancel()
        await application.stop()
    await rasa.close()
    engine.dispose()
    return 1 if liveness.dead else 0


def main() -> int:
    environment = Environment()
    try:
        city = configured_city(environment.text("LOTSE_CITY"))
        settings = Settings.from_environment(environment, city)
    except ConfigurationError as problem:
        raise SystemExit(f"The adapter cannot start: {problem}") from None
    logging.basicConfig(level=settings.shared.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request to Telegram is noise
    key = pseudonym_key(settings.pseudonym_key, PROJECT_ROOT / "var" / "pseudonym.key")
    keep_logs_private(key)  # a Telegram id's hash in the log starts its Rasa pseudonym
    return asyncio.run(run(settings, key, city))


if __name__ == "__main__":
    raise SystemExit(main())
