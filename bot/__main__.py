"""`python -m bot`: the Telegram adapter. Polling by default; with LOTSE_WEBHOOK_URL, a webhook
(LOTSE_HTTP_PORT, default 8443) that accepts only requests carrying Telegram's
`secret_token` header (LOTSE_WEBHOOK_SECRET). GET /health on the same port (in polling mode
when LOTSE_HTTP_PORT is set) says whether the database answers. Without TELEGRAM_BOT_TOKEN
it talks to the local fake Bot API (LOTSE_BOT_API, default http://127.0.0.1:8081)."""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import signal
from datetime import datetime

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.advisors import remind_of_the_queue
from bot.app import build_application, enqueue, poll, retry_unfinished
from bot.log_privacy import keep_logs_private
from bot.lotse import Lotse
from bot.newcomers import set_menu
from bot.pseudonym import pseudonym_key
from bot.rasa_client import RasaClient
from bot.settings import Settings
from cases.office_hours import remind_at_openings
from cases.store import CaseStore
from knowledge.hours import BERLIN
from knowledge.store import PROJECT_ROOT, open_store

logger = logging.getLogger("bot")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def http_app(application: Application, secret: str | None) -> web.Application:
    """GET /health; with a webhook secret also Telegram's POSTs: checked, stored in the
    inbox, answered 200 only once stored."""
    lotse: Lotse = application.bot_data["lotse"]

    async def receive(request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            logger.warning("webhook request without the right secret token rejected")
            return web.Response(status=403)
        try:
            payload = await request.json()
            update = Update.de_json(payload, application.bot)
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="not a Telegram update")
        lotse.cases.receive([payload])
        await enqueue(application, update)
        return web.Response(text="ok")

    async def health(request: web.Request) -> web.Response:
        if lotse.cases.reachable():
            return web.Response(text="ok")
        return web.Response(status=503, text="database unreachable")

    app = web.Application()
    if secret:
        app.router.add_post("/telegram", receive)
    app.router.add_get("/health", health)  # for load balancers and container health checks
    return app


async def run(settings: Settings, key: bytes) -> None:
    engine = open_store()
    rasa = RasaClient(settings.rasa_url, settings.rasa_token)
    lotse = Lotse(settings, CaseStore(engine), rasa, key)
    application = build_application(lotse)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    async with application:
        await application.start()
        await set_menu(application.bot)
        background = [
            asyncio.create_task(remind_at_openings(settings.office_hours, lambda: remind_of_the_queue(application.bot, lotse),
                                                   lambda: datetime.now(BERLIN))),
            asyncio.create_task(retry_unfinished(application, settings.retry_every)),
        ]
        if settings.webhook_url and not settings.webhook_secret:
            raise SystemExit("LOTSE_WEBHOOK_URL needs LOTSE_WEBHOOK_SECRET (Telegram's secret_token)")
        runner = web.AppRunner(http_app(application, settings.webhook_secret if settings.webhook_url else None))
        await runner.setup()
        if settings.http_port is not None:
            await web.TCPSite(runner, "0.0.0.0", settings.http_port).start()
        if settings.webhook_url:
            await application.bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret,
                                              allowed_updates=Update.ALL_TYPES)
            logger.info("webhook mode")
            await stop.wait()
        else:
            await application.bot.delete_webhook()
            logger.info("polling %s", settings.bot_api or "Telegram")
            polling = asyncio.create_task(poll(application, stop))
            await stop.wait()
            polling.cancel()
        await runner.cleanup()
        for task in background:
            task.cancel()
        await application.stop()
    await rasa.close()
    engine.dispose()


def main() -> int:
    logging.basicConfig(level=os.environ.get("LOTSE_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request to Telegram is noise
    key = pseudonym_key(PROJECT_ROOT / "var" / "pseudonym.key")
    keep_logs_private(key)  # a Telegram id's hash in the log starts its Rasa pseudonym
    asyncio.run(run(Settings.from_environment(), key))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
