"""The adapter's HTTP port. Webhook mode: Telegram's POSTs are accepted only with the secret
token the adapter gave Telegram, and an accepted update is answered like a polled one.
Polling mode: only the health check."""

from __future__ import annotations

import httpx

from devtools.local import free_port, wait_until_up
from tests.helpers.telegram import NEWCOMERS, sent, wait_for

SECRET = "webhook-secret-for-tests"


def update_from(user: int, text: str) -> dict:
    return {"update_id": 10**12 + user, "message": {
        "message_id": 1, "date": 0, "chat": {"id": user, "type": "private"}, "text": text,
        "from": {"id": user, "is_bot": False, "first_name": "N", "language_code": "de"}}}


def test_only_requests_with_the_secret_token_are_taken(lotse_stack):
    telegram, port = lotse_stack.bot_api, free_port()
    webhook = f"http://127.0.0.1:{port}/telegram"
    lotse_stack.crash_adapter()
    lotse_stack.start_adapter_again(LOTSE_WEBHOOK_URL=webhook, LOTSE_WEBHOOK_SECRET=SECRET, LOTSE_HTTP_PORT=str(port))
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", [lotse_stack.servers[-1]], seconds=60)
        info = wait_for(lambda: httpx.get(f"{telegram}/bot1:x/getWebhookInfo", timeout=10).json()["result"]["url"])
        assert info == webhook

        forged = next(NEWCOMERS)
        refused = httpx.post(webhook, json=update_from(forged, "Ich suche Arbeit"), timeout=10,
                                headers={"X-Telegram-Bot-Api-Secret-Token": "guessed"})
        assert refused.status_code == 403

        user = next(NEWCOMERS)
        accepted = httpx.post(webhook, json=update_from(user, "Ich suche Arbeit"), timeout=10,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert accepted.status_code == 200
        assert "Arbeit" in wait_for(lambda: sent(telegram, user))[0]["text"]
        assert sent(telegram, forged) == []
    finally:
        lotse_stack.crash_adapter()
        lotse_stack.start_adapter_again()


def test_a_polling_adapter_with_an_http_port_reports_health_and_takes_no_posts(lotse_stack):
    telegram, port = lotse_stack.bot_api, free_port()
    lotse_stack.crash_adapter()
    lotse_stack.start_adapter_again(LOTSE_HTTP_PORT=str(port))
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", [lotse_stack.servers[-1]], seconds=60)
        user = next(NEWCOMERS)
        posted = httpx.post(f"http://127.0.0.1:{port}/telegram", json=update_from(user, "Ich suche Arbeit"),
                               timeout=10, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert posted.status_code in (404, 405)
        assert sent(telegram, user) == []
    finally:
        lotse_stack.crash_adapter()
        lotse_stack.start_adapter_again()
