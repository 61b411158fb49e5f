"""A fake Telegram Bot API on loopback, for `make run` without a token and for the tests: the
real python-telegram-bot code talks to it through its `base_url`. Chats, messages and forum
topics live in memory. A control API plays Telegram's side:

    POST /control/updates            an Update object, delivered as if Telegram had sent it
    GET  /control/sent?chat_id=…     every message the bot sent to that chat, in order
    GET  /control/topics?chat_id=…   the forum topics the bot created in a group
    GET  /control/callback_answers   the answers to pressed buttons (answerCallbackQuery)
    GET  /control/chat?chat_id=…     every message of a chat, both directions, in order
    GET  /control/commands           the command menu the bot set, by language code
    POST /control/faults             {"method": "sendMessage", "status": 429 or 5xx, "times": 2,
                                     "retry_after": 1, "chat_id": …}: the next calls fail so
    GET  /control/faults             the faults not yet used up
    GET  /control/timeline?since=N   what happened when, from event N on: updates delivered,
                                     messages sent (with their buttons' payloads), topics
                                     created — for the load benchmark (`bot.load`)

    python -m bot.fake_telegram --port 8081 [--tryout-port 8080]

With `--tryout-port`, a page there shows a newcomer's chat and the advisors' group."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

from aiohttp import web

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Lotse", "username": "lotse_local_bot",
            "can_join_groups": True, "can_read_all_group_messages": True, "supports_inline_queries": False}
# Parameters the Bot API sends JSON-encoded; every other parameter is a plain string.
_JSON_PARAMETERS = {
    "chat_id", "from_chat_id", "message_id", "message_thread_id", "reply_markup", "entities", "caption_entities",
    "offset", "limit", "timeout", "allowed_updates", "show_alert", "icon_color", "disable_notification",
    "protect_content", "link_preview_options", "reply_parameters", "drop_pending_updates", "user_id", "commands",
    "max_connections", "message_ids",
}
_ADMIN_RIGHTS = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
                 "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                 "can_delete_stories", "can_manage_topics", "can_pin_messages")
_MEDIA = {"sendPhoto": "photo", "sendDocument": "document", "sendVoice": "voice", "sendAudio": "audio",
          "sendVideo": "video", "sendSticker": "sticker", "sendAnimation": "animation", "sendVideoNote": "video_note"}


def _decoded(name: str, value: Any) -> Any:
    if name in _JSON_PARAMETERS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _chat(chat_id: int) -> dict[str, Any]:
    """Negative ids are the advisors' forum supergroup, positive ones private chats."""
    if chat_id < 0:
        return {"id": chat_id, "type": "supergroup", "title": "Lotse advisors", "is_forum": True}
    return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}


class FakeTelegram:
    """The Bot API's state: pending updates, every message by chat, forum topics."""

    def __init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(int(time.time() * 1000))  # rising across restarts, like Telegram's
        self._arrived = asyncio.Condition()
        self._message_ids: dict[int, itertools.count] = defaultdict(lambda: itertools.count(1))
        self._topic_ids = itertools.count(2)
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.sent: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.topics: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.callback_answers: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {"url": ""}
        self.chat_members: dict[tuple[int, int], str] = {}  # (chat, user) -> status, "member" by default
        self.commands: dict[str, list[dict[str, str]]] = {}  # the command menu by language code ("" = default)
        self.timeline: list[dict[str, Any]] = []  # {"at": unix seconds, "kind", "chat_id", …}
        self.faults: list[dict[str, Any]] = []  # Telegram stumbling: see `fault_for`

    def fault_for(self, method: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """Uses up one injected fault that matches this call (its method and, if given, chat)."""
        for fault in self.faults:
            if fault["method"] == method and fault.get("chat_id") in (None, params.get("chat_id")):
                fault["times"] -= 1
                if fault["times"] <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _record(self, kind: str, chat_id: int, **details: Any) -> None:
        self.timeline.append({"at": time.time(), "kind": kind, "chat_id": chat_id, **details})

    # -- Telegram's side ---------------------------------------------------------------

    async def deliver(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update; messages get an id and a date where the caller left them out."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        for key in ("message", "edited_message"):
            if key in update:
                message = update[key] = dict(update[key])
                chat_id = message["chat"]["id"]
                message.setdefault("message_id", next(self._message_ids[chat_id]))
                message.setdefault("date", int(time.time()))
                self.messages[(chat_id, message["message_id"])] = message
        sender = update.get("message") or update.get("callback_query") or {}
        self._record("update", (sender.get("chat") or sender.get("from") or {}).get("id", 0), update_id=update["update_id"],
                     message_id=(update.get("message") or {}).get("message_id"))
        async with self._arrived:
            self._updates.append(update)
            self._arrived.notify_all()
        return update

    async def get_updates(self, offset: int = 0, limit: int = 100, timeout: float = 0) -> list[dict[str, Any]]:
        """Like Telegram: an offset confirms every update before it; waits up to `timeout`."""
        async with self._arrived:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout:
                try:
                    await asyncio.wait_for(self._arrived.wait(), timeout)
                except asyncio.TimeoutError:
                    pass
            return self._updates[:limit]

    # -- the bot's side ----------------------------------------------------------------

    def _post(self, chat_id: int, content: dict[str, Any], thread: int | None = None) -> dict[str, Any]:
        message = {"message_id": next(self._message_ids[chat_id]), "date": int(time.time()), "chat": _chat(chat_id),
                   "from": BOT_USER, **content}
        if thread is not None:
            message["message_thread_id"], message["is_topic_message"] = thread, True
        self.messages[(chat_id, message["message_id"])] = message
        self.sent[chat_id].append(message)
        buttons = [button.get("callback_data") for row in (content.get("reply_markup") or {}).get("inline_keyboard", [])
                   for button in row]
        self._record("sent", chat_id, message_id=message["message_id"], thread=thread, buttons=buttons)
        return message

    def call(self, method: str, params: dict[str, Any]) -> Any:
        handler: Callable[[dict[str, Any]], Any] | None = getattr(self, f"_api_{method}", None)
        if handler is None and method in _MEDIA:
            return self._send_media(_MEDIA[method], params)
        if handler is None:
            raise LookupError(method)
        return handler(params)

    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        content = {"text": params["text"]}
        for key in ("parse_mode", "reply_markup"):
            if key in params:
                content[key] = params[key]
        return self._post(int(params["chat_id"]), content, params.get("message_thread_id"))

    def _send_media(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        file = params.get(kind)
        file_id = file if isinstance(file, str) else f"uploaded-{kind}"
        content = {kind: [{"file_id": file_id, "file_unique_id": file_id}] if kind == "photo"
                   else {"file_id": file_id, "file_unique_id": file_id}}
        if "caption" in params:
            content["caption"] = params["caption"]
        return self._post(int(params["chat_id"]), content, params.get("message_thread_id"))

    def _api_copyMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        original = self.messages.get((int(params["from_chat_id"]), int(params["message_id"])))
        if original is None:
            raise ValueError("Bad Request: message to copy not found")
        content = {k: v for k, v in original.items()
                   if k not in {"message_id", "date", "chat", "from", "message_thread_id", "is_topic_message"}}
        message = self._post(int(params["chat_id"]), content, params.get("message_thread_id"))
        return {"message_id": message["message_id"]}

    def _api_forwardMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        copied = self._api_copyMessage(params)
        message = self.messages[(int(params["chat_id"]), copied["message_id"])]
        message["forward_origin"] = {"type": "chat", "date": message["date"], "sender_chat": _chat(int(params["from_chat_id"]))}
        return message

    def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self.messages[(int(params["chat_id"]), int(params["message_id"]))]
        message.update(text=params["text"], edit_date=int(time.time()))
        message.pop("reply_markup", None)
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self.messages[(int(params["chat_id"]), int(params["message_id"]))]
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        self.callback_answers.append(params)
        return True

    def _api_createForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        topic = {"message_thread_id": next(self._topic_ids), "name": params["name"],
                 "icon_color": params.get("icon_color", 7322096)}
        self.topics[int(params["chat_id"])].append(topic)
        self._record("topic", int(params["chat_id"]), thread=topic["message_thread_id"])
        return topic

    def _topic(self, params: dict[str, Any]) -> dict[str, Any]:
        return next(t for t in self.topics[int(params["chat_id"])]
                    if t["message_thread_id"] == int(params["message_thread_id"]))

    def _api_editForumTopic(self, params: dict[str, Any]) -> bool:
        self._topic(params)["name"] = params.get("name", self._topic(params)["name"])
        return True

    def _api_closeForumTopic(self, params: dict[str, Any]) -> bool:
        self._topic(params)["closed"] = True
        return True

    def _api_reopenForumTopic(self, params: dict[str, Any]) -> bool:
        self._topic(params)["closed"] = False
        return True

    def _api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = int(params["user_id"])
        status = self.chat_members.get((int(params["chat_id"]), user_id), "member")
        member = {"status": status, "user": {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}}
        if status == "administrator":
            member.update(dict.fromkeys(_ADMIN_RIGHTS, True), can_be_edited=False, is_anonymous=False)
        return member

    def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": params.get("url", ""), "secret_token": params.get("secret_token")}
        return True

    def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": ""}
        return True

    def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook["url"], "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands[params.get("language_code") or ""] = params["commands"]
        return True

    def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": code, "description": description}, status=code)


def _control_routes(telegram: FakeTelegram) -> list[web.RouteDef]:
    """Telegram's side, for tests, outside evaluation and the try-out page."""

    async def control_updates(request: web.Request) -> web.Response:
        try:
            update = await request.json()
        except ValueError:
            return _error(400, "Bad Request: the body must be a JSON Update object")
        if not isinstance(update, dict):
            return _error(400, "Bad Request: the body must be a JSON Update object")
        return _ok(await telegram.deliver(update))

    def chat_id_of(request: web.Request) -> int:
        return int(request.query["chat_id"])

    async def control_sent(request: web.Request) -> web.Response:
        return web.json_response(telegram.sent.get(chat_id_of(request), []))

    async def control_chat(request: web.Request) -> web.Response:
        """Every message of a chat, both directions, in order (the try-out page shows these)."""
        chat_id = chat_id_of(request)
        messages = sorted((m for (chat, _), m in telegram.messages.items() if chat == chat_id),
                          key=lambda m: m["message_id"])
        return web.json_response(messages)

    async def control_topics(request: web.Request) -> web.Response:
        return web.json_response(telegram.topics.get(chat_id_of(request), []))

    async def control_callback_answers(request: web.Request) -> web.Response:
        return web.json_response(telegram.callback_answers)

    async def control_commands(request: web.Request) -> web.Response:
        return web.json_response(telegram.commands)

    async def control_faults(request: web.Request) -> web.Response:
        if request.method == "GET":
            return web.json_response(telegram.faults)
        fault = await request.json()
        if not isinstance(fault, dict) or not {"method", "status"} <= set(fault):
            return _error(400, "Bad Request: a fault needs a method and a status")
        telegram.faults.append({"times": 1, **fault})
        return _ok(True)

    async def control_timeline(request: web.Request) -> web.Response:
        since = int(request.query.get("since", 0))
        return web.json_response({"events": telegram.timeline[since:], "next": len(telegram.timeline)})

    return [web.post("/control/updates", control_updates), web.get("/control/sent", control_sent),
            web.get("/control/chat", control_chat), web.get("/control/topics", control_topics),
            web.get("/control/callback_answers", control_callback_answers), web.get("/control/commands", control_commands),
            web.get("/control/timeline", control_timeline), web.route("*", "/control/faults", control_faults)]


def make_app(telegram: FakeTelegram | None = None) -> web.Application:
    """The Bot API (`/bot<token>/<method>`) and the control API."""
    telegram = telegram or FakeTelegram()
    app = web.Application(client_max_size=50 * 1024 * 1024)

    async def bot_api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                form = await request.post()
                params.update({k: (v if isinstance(v, str) else "<file>") for k, v in form.items()})
        params = {name: _decoded(name, value) for name, value in params.items()}
        if method == "getUpdates":
            return _ok(await telegram.get_updates(int(params.get("offset") or 0), int(params.get("limit") or 100),
                                                  float(params.get("timeout") or 0)))
        fault = telegram.fault_for(method, params)
        if fault is not None and fault["status"] == 429:
            return web.json_response({"ok": False, "error_code": 429, "description": "Too Many Requests: retry later",
                                      "parameters": {"retry_after": fault.get("retry_after", 1)}}, status=429)
        if fault is not None:
            return _error(fault["status"], "Internal Server Error" if fault["status"] != 502 else "Bad Gateway")
        try:
            return _ok(telegram.call(method, params))
        except LookupError:
            return _error(404, "Not Found: method not found")
        except (KeyError, ValueError, StopIteration) as problem:
            return _error(400, f"Bad Request: {problem}")

    app.router.add_route("*", "/bot{token}/{method}", bot_api)
    app.router.add_routes(_control_routes(telegram))
    return app


def make_tryout_app(telegram: FakeTelegram, settings: dict[str, Any]) -> web.Application:
    """The try-out page: a newcomer's chat and the advisors' group side by side, over the
    same control API (same origin, so the page needs nothing else)."""
    page = (Path(__file__).parent / "tryout.html").read_text(encoding="utf-8")
    page = page.replace("__SETTINGS__", json.dumps(settings))

    async def index(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_routes(_control_routes(telegram))
    return app


async def serve(host: str, port: int, tryout_port: int | None, settings: dict[str, Any]) -> None:
    telegram = FakeTelegram()
    telegram.chat_members[(settings["advisorsChat"], settings["advisor"])] = "administrator"
    runners = [web.AppRunner(make_app(telegram))]
    if tryout_port:
        runners.append(web.AppRunner(make_tryout_app(telegram, settings)))
    for runner, site_port in zip(runners, (port, tryout_port)):
        await runner.setup()
        await web.TCPSite(runner, host, site_port).start()
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.fake_telegram", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--tryout-port", type=int, help="also serve the try-out page here (make run: 8080)")
    parser.add_argument("--advisors-chat", type=int, default=-1001000000001)
    parser.add_argument("--advisor", type=int, default=1000001, help="an admin of the advisors' group")
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.host, args.port, args.tryout_port,
                          {"advisorsChat": args.advisors_chat, "advisor": args.advisor}))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
