"""A fake Telegram Bot API on loopback, for `make run` without a token and for the tests: the
real python-telegram-bot code talks to it through its `base_url`. Chats, messages and forum
topics live in memory; texts and captions are checked as Telegram checks them (4096 and 1024
UTF-16 code units, well-formed HTML in Telegram's subset). A control API plays Telegram's side:

    POST /control/updates            an Update object, delivered as if Telegram had sent it; an
                                     `edited_message` must name an earlier message (chat and
                                     message_id) and replaces it
    GET  /control/sent?chat_id=…     every message the bot sent to that chat, in order
    GET  /control/topics?chat_id=…   the forum topics the bot created in a group (`closed: true`,
                                     `deleted: true` once so; deleted ones stay listed)
    GET  /control/callback_answers   the answers to pressed buttons (answerCallbackQuery)
    GET  /control/chat?chat_id=…     every message of a chat, both directions, in order
    GET  /control/commands           the command menu the bot set, by language code
    POST /control/faults             {"method": "sendMessage", "status": 429 or 5xx, "times": 2,
                                     "retry_after": 1, "chat_id": …}: the next calls fail so
    GET  /control/faults             the faults not yet used up
    POST /control/group              {"chat_id": -100…, "is_forum": false, "can_manage_topics": false,
                                     "can_delete_messages": false, "can_create_topics": false}:
                                     the group's switches given (all true until switched off)
    GET  /control/group?chat_id=…    that group's switches
    GET  /control/timeline?since=N   what happened when, from event N on: updates delivered,
                                     messages sent (with their buttons' payloads), topics
                                     created and deleted, messages deleted — for the load
                                     benchmark (`devtools.load`)

Any page a developer visits could send requests to these loopback ports, so every control
request but a GET must be JSON (`Content-Type: application/json`, 415 otherwise: a cross-site
form cannot send that without a CORS preflight, never answered here) and, with an `Origin`,
come from this server's own (the API's or the try-out page's, on 127.0.0.1 or localhost; 403
otherwise). The Bot API refuses browsers' cross-site requests the same way (`Origin`,
`Sec-Fetch-Site`).

    python -m devtools.fake_telegram --port 8081 [--tryout-port 8080]

With `--tryout-port`, a page there shows a newcomer's chat and the advisors' group (and, with
`--workspace-url`, where the coordinators' workspace is and its demo accounts)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NoReturn

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
# What the advisors' group allows, until `POST /control/group` switches something off.
GROUP_SWITCHES = {"is_forum": True, "can_manage_topics": True, "can_delete_messages": True, "can_create_topics": True}
TEXT_LIMIT, CAPTION_LIMIT = 4096, 1024  # UTF-16 code units of the text after entities parsing, as Telegram counts
_HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
              "blockquote", "tg-emoji"}
_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}  # and every numeric one
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def _decoded(name: str, value: Any) -> Any:
    if name in _JSON_PARAMETERS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def utf16_length(text: str) -> int:
    """Telegram counts lengths (and entity offsets) in UTF-16 code units: 😀 is two."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class _TelegramHtml(HTMLParser):
    """Telegram's HTML: only its tags, each closed in order, and `<`, `&` only as tags and
    entities (&lt; &gt; &amp; &quot; and numeric ones). Collects the text a reader sees."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.html = html
        self.text: list[str] = []
        self.open: list[str] = []
        self._line_starts = [0] + [index + 1 for index, character in enumerate(html) if character == "\n"]

    @classmethod
    def plain_text(cls, html: str) -> str:
        parser = cls(html)
        parser.feed(html)
        parser.close()
        if parser.open:
            parser.fail(f'Can\'t find end tag corresponding to start tag "{parser.open[-1]}"')
        return "".join(parser.text)

    def _index(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _at(self, index: int | None = None) -> str:
        """Where, as Telegram says it: in bytes of UTF-8."""
        return f"at byte offset {len(self.html[:self._index() if index is None else index].encode('utf-8'))}"

    def fail(self, reason: str) -> NoReturn:
        raise ValueError(f"can't parse entities: {reason}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.fail(f'Unsupported start tag "{tag}" {self._at()}')
        attributes = dict(attrs)
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            self.fail(f'Tag "span" must have class "tg-spoiler" {self._at()}')
        if tag == "tg-emoji" and not attributes.get("emoji-id"):
            self.fail(f'Tag "tg-emoji" must have attribute "emoji-id" {self._at()}')
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.fail(f'Unsupported start tag "{tag}/" {self._at()}')

    def handle_endtag(self, tag: str) -> None:
        if not self.open:
            self.fail(f"Unexpected end tag {self._at()}")
        if self.open[-1] != tag:
            self.fail(f'Unmatched end tag {self._at()}, expected "</{self.open[-1]}>", found "</{tag}>"')
        self.open.pop()

    def handle_data(self, data: str) -> None:
        """Tags and entities come separately, so a `<` or `&` here is a bare one."""
        bare = [data.index(character) for character in "<&" if character in data]
        if bare:
            self.fail(f'Unexpected "{data[min(bare)]}" {self._at(self._index() + min(bare))}: write &lt; or &amp;')
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _HTML_ENTITIES or not self.html.startswith(f"&{name};", self._index()):
            self.fail(f'Unsupported HTML entity "&{name}" {self._at()}')
        self.text.append(_HTML_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        code = int(name[1:], 16) if name[:1] in "xX" else int(name)
        if (not self.html.startswith(f"&#{name};", self._index())
                or not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF):
            self.fail(f'Unsupported HTML entity "&#{name}" {self._at()}')
        self.text.append(chr(code))

    def handle_comment(self, data: str) -> None:
        self.fail(f'Unsupported start tag "!--" {self._at()}')

    def handle_decl(self, decl: str) -> None:
        self.fail(f'Unsupported start tag "!" {self._at()}')

    def unknown_decl(self, data: str) -> None:
        self.handle_decl(data)

    def handle_pi(self, data: str) -> None:
        self.fail(f'Unsupported start tag "?" {self._at()}')


def shown_text(text: str, parse_mode: str | None) -> str:
    """The text a reader sees, which is what Telegram limits: HTML parsed (and refused if not
    well-formed in Telegram's sense), any other text as it is."""
    return _TelegramHtml.plain_text(text) if (parse_mode or "").lower() == "html" else text


def _checked_text(params: dict[str, Any]) -> None:
    text = shown_text(str(params.get("text") or ""), params.get("parse_mode"))
    if not text.strip():
        raise ValueError("message text is empty")
    if utf16_length(text) > TEXT_LIMIT:
        raise ValueError("message is too long")


def _checked_caption(caption: Any, parse_mode: str | None) -> None:
    if caption is not None and utf16_length(shown_text(str(caption), parse_mode)) > CAPTION_LIMIT:
        raise ValueError("message caption is too long")


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
        self.groups: dict[int, dict[str, bool]] = defaultdict(lambda: dict(GROUP_SWITCHES))  # see `GROUP_SWITCHES`
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

    def chat(self, chat_id: int) -> dict[str, Any]:
        """Negative ids are the advisors' supergroup (a forum unless switched off), positive ones private chats."""
        if chat_id < 0:
            return {"id": chat_id, "type": "supergroup", "title": "Lotse advisors",
                    "is_forum": self.groups[chat_id]["is_forum"]}
        return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}

    # -- Telegram's side ---------------------------------------------------------------

    async def deliver(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update; messages get an id and a date where the caller left them out. An
        edited message keeps its original's id, date, sender and topic, and replaces it."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        if "message" in update:
            message = update["message"] = dict(update["message"])
            chat_id = message["chat"]["id"]
            message.setdefault("message_id", next(self._message_ids[chat_id]))
            message.setdefault("date", int(time.time()))
            self.messages[(chat_id, message["message_id"])] = message
        if "edited_message" in update:
            edited = update["edited_message"]
            chat_id = edited["chat"]["id"]
            original = self.messages.get((chat_id, edited.get("message_id")))
            if original is None:
                raise ValueError("an edited_message needs the chat and message_id of an earlier message")
            kept = {key: original[key] for key in ("message_id", "date", "from", "message_thread_id",
                                                   "is_topic_message")
                    if key in original}
            message = update["edited_message"] = {**kept, **edited,
                                                  "edit_date": edited.get("edit_date", int(time.time()))}
            self.messages[(chat_id, message["message_id"])] = message
        if "callback_query" in update:  # Telegram sends the message the button is under as it is now
            query = update["callback_query"] = dict(update["callback_query"])
            pressed_under: dict[str, Any] = query.get("message") or {}
            chat: dict[str, Any] = pressed_under.get("chat") or {}
            stored = self.messages.get((chat.get("id", 0), pressed_under.get("message_id", 0)))  # 0: no such message
            if stored is not None:
                query["message"] = stored
        sender = update.get("message") or update.get("edited_message") or update.get("callback_query") or {}
        message = update.get("message") or update.get("edited_message") or {}
        self._record("update", (sender.get("chat") or sender.get("from") or {}).get("id", 0),
                     update_id=update["update_id"],
                     message_id=message.get("message_id"), **({"edited": True} if "edited_message" in update else {}))
        async with self._arrived:
            self._updates.append(update)
            self._arrived.notify_all()
        return update

    async def get_updates(self, offset: int = 0, limit: int = 100, timeout: float = 0) -> list[dict[str, Any]]:
        """Like Telegram: an offset confirms every update before it; waits up to `timeout`."""
        async with self._arrived:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), timeout)
            return self._updates[:limit]

    # -- the bot's side ----------------------------------------------------------------

    def _post(self, chat_id: int, content: dict[str, Any], thread: int | None = None) -> dict[str, Any]:
        if thread is not None:
            thread = self._open_thread(chat_id, int(thread))
        message = {"message_id": next(self._message_ids[chat_id]), "date": int(time.time()), "chat": self.chat(chat_id),
                   "from": BOT_USER, **content}
        if thread is not None:
            message["message_thread_id"], message["is_topic_message"] = thread, True
        self.messages[(chat_id, message["message_id"])] = message
        self.sent[chat_id].append(message)
        buttons = [button.get("callback_data") for row in (content.get("reply_markup") or {}).get("inline_keyboard", [])
                   for button in row]
        self._record("sent", chat_id, message_id=message["message_id"], thread=thread, buttons=buttons)
        return message

    def _open_thread(self, chat_id: int, thread: int) -> int:
        """A group's topic takes messages while it exists, closed or not (the bot is an admin);
        one deleted or never created is "not found", like any topic outside a forum."""
        if chat_id < 0 and not (self.groups[chat_id]["is_forum"] and any(
                t["message_thread_id"] == thread and not t.get("deleted") for t in self.topics[chat_id])):
            raise ValueError("message thread not found")
        return thread

    def _forget(self, chat_id: int, message_ids: Iterable[int]) -> None:
        """Deleted messages are gone from the chat and from what the bot sent."""
        gone = set(message_ids)
        if not gone:
            return
        for message_id in gone:
            self.messages.pop((chat_id, message_id), None)
        self.sent[chat_id] = [m for m in self.sent[chat_id] if m["message_id"] not in gone]
        self._record("deleted", chat_id, message_ids=sorted(gone))

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
        _checked_text(params)
        content = {"text": params["text"]}
        for key in ("parse_mode", "reply_markup"):
            if key in params:
                content[key] = params[key]
        return self._post(int(params["chat_id"]), content, params.get("message_thread_id"))

    def _send_media(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        _checked_caption(params.get("caption"), params.get("parse_mode"))
        file = params.get(kind)
        file_id = file if isinstance(file, str) else f"uploaded-{kind}"
        content = {kind: [{"file_id": file_id, "file_unique_id": file_id}] if kind == "photo"
                   else {"file_id": file_id, "file_unique_id": file_id}}
        if "caption" in params:
            content["caption"] = params["caption"]
        return self._post(int(params["chat_id"]), content, params.get("message_thread_id"))

    def _api_copyMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        """The copy carries a new caption where one is given (media only: text has none)."""
        original = self.messages.get((int(params["from_chat_id"]), int(params["message_id"])))
        if original is None:
            raise ValueError("message to copy not found")
        content = {k: v for k, v in original.items()
                   if k not in {"message_id", "date", "chat", "from", "message_thread_id", "is_topic_message",
                                "edit_date"}}
        if "caption" in params and "text" not in original:
            content["caption"] = params["caption"]
            _checked_caption(params["caption"], params.get("parse_mode"))
        message = self._post(int(params["chat_id"]), content, params.get("message_thread_id"))
        return {"message_id": message["message_id"]}

    def _api_forwardMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        copied = self._api_copyMessage({k: v for k, v in params.items() if k != "caption"})
        message = self.messages[(int(params["chat_id"]), copied["message_id"])]
        message["forward_origin"] = {"type": "chat", "date": message["date"],
                                     "sender_chat": self.chat(int(params["from_chat_id"]))}
        return message

    def _edited(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self.messages.get((int(params["chat_id"]), int(params["message_id"])))
        if message is None:
            raise ValueError("message to edit not found")
        return message

    def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        _checked_text(params)
        message = self._edited(params)
        message.update(text=params["text"], edit_date=int(time.time()))
        for key in ("parse_mode", "reply_markup"):
            message.pop(key, None)
            if key in params:
                message[key] = params[key]
        return message

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._edited(params)
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _api_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        self._check_deletable(chat_id, [message_id])
        self._forget(chat_id, [message_id])
        return True

    def _api_deleteMessages(self, params: dict[str, Any]) -> bool:
        """Like Telegram, skips the ids it cannot find; if it finds none, that is an error."""
        chat_id, message_ids = int(params["chat_id"]), [int(i) for i in params.get("message_ids") or []]
        if not 1 <= len(message_ids) <= 100:
            raise ValueError("message_ids must hold 1 to 100 message identifiers")
        found = [i for i in message_ids if (chat_id, i) in self.messages]
        self._check_deletable(chat_id, found or message_ids)
        self._forget(chat_id, found)
        return True

    def _check_deletable(self, chat_id: int, message_ids: list[int]) -> None:
        """In the group, others' messages need the right to delete messages; the bot's own do not."""
        for message_id in message_ids:
            message = self.messages.get((chat_id, message_id))
            if message is None:
                raise ValueError("message to delete not found")
            if chat_id < 0 and (message.get("from") or {}).get("id") != BOT_USER["id"] \
                    and not self.groups[chat_id]["can_delete_messages"]:
                raise ValueError("message can't be deleted")

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        self.callback_answers.append(params)
        return True

    def _api_createForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        group = self.groups[int(params["chat_id"])]
        if not group["is_forum"]:
            raise ValueError("the chat is not a forum")
        if not (group["can_create_topics"] and group["can_manage_topics"]):
            raise ValueError("not enough rights to create a topic")
        topic = {"message_thread_id": next(self._topic_ids), "name": params["name"],
                 "icon_color": params.get("icon_color", 7322096)}
        self.topics[int(params["chat_id"])].append(topic)
        self._record("topic", int(params["chat_id"]), thread=topic["message_thread_id"])
        return topic

    def _topic(self, params: dict[str, Any]) -> dict[str, Any]:
        for topic in self.topics[int(params["chat_id"])]:
            if topic["message_thread_id"] == int(params["message_thread_id"]) and not topic.get("deleted"):
                return topic
        raise ValueError("message thread not found")

    def _api_editForumTopic(self, params: dict[str, Any]) -> bool:
        self._topic(params)["name"] = params.get("name", self._topic(params)["name"])
        return True

    def _api_closeForumTopic(self, params: dict[str, Any]) -> bool:
        self._topic(params)["closed"] = True
        return True

    def _api_reopenForumTopic(self, params: dict[str, Any]) -> bool:
        self._topic(params)["closed"] = False
        return True

    def _api_deleteForumTopic(self, params: dict[str, Any]) -> bool:
        """The topic stays listed with `deleted: true` (for the tests); its messages are gone."""
        chat_id, topic = int(params["chat_id"]), self._topic(params)
        if not self.groups[chat_id]["can_delete_messages"]:
            raise ValueError("not enough rights to delete the topic")
        topic["deleted"] = True
        self._forget(chat_id, [message_id for (chat, message_id), message in self.messages.items()
                               if chat == chat_id and message.get("message_thread_id") == topic["message_thread_id"]])
        self._record("topic_deleted", chat_id, thread=topic["message_thread_id"])
        return True

    def _api_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**self.chat(int(params["chat_id"])), "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts",
                                                      "premium_subscription", "gifts_from_channels"), False)}

    def _api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        """The bot is an administrator of the group, with the rights its switches leave it."""
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        if user_id == BOT_USER["id"] and chat_id < 0:
            group = self.groups[chat_id]
            return {"status": "administrator", "user": BOT_USER, **dict.fromkeys(_ADMIN_RIGHTS, True),
                    "can_manage_topics": group["can_manage_topics"],
                    "can_delete_messages": group["can_delete_messages"],
                    "can_be_edited": False, "is_anonymous": False}
        status = self.chat_members.get((chat_id, user_id), "member")
        member: dict[str, Any] = {"status": status,
                                  "user": {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}}
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


def _own_origins(request: web.Request, trusted_ports: Iterable[int]) -> set[str]:
    """This server's origins: the port the request came in on and the trusted ones (the API's
    and the try-out page's), on loopback."""
    sockname = request.transport.get_extra_info("sockname") if request.transport is not None else None
    ports = {*trusted_ports, *([sockname[1]] if sockname else [])}
    return {f"http://{host}:{port}" for host in _LOOPBACK_HOSTS for port in ports}


def _cross_site_refusal(request: web.Request, trusted_ports: Iterable[int]) -> web.Response | None:
    """Why a request that may come from any page the developer visits is refused, if it is:
    a control request that changes something must be JSON (a cross-site page cannot send that
    without a CORS preflight, never answered here) and from our own origin if it names one; the
    Bot API is for bots, so a browser's cross-site request to it (a form, an <img>) is refused."""
    origin = request.headers.get("Origin")
    foreign = origin is not None and origin not in _own_origins(request, trusted_ports)
    if request.path.startswith("/control/") and request.method not in ("GET", "HEAD"):
        if foreign:
            return web.Response(status=403, text=f"Forbidden: a control request from another origin ({origin})")
        if request.content_type != "application/json":
            return web.Response(status=415, text="Unsupported Media Type: a control request must be "
                                                 "Content-Type: application/json")
    if request.path.startswith("/bot") and (foreign or request.headers.get("Sec-Fetch-Site", "none")
                                             not in ("none", "same-origin")):
        return web.Response(status=403, text="Forbidden: the Bot API does not answer cross-site requests")
    return None


def _cross_site_guard(trusted_ports: Iterable[int]) -> Callable[..., Awaitable[web.StreamResponse]]:
    trusted = frozenset(trusted_ports)

    @web.middleware
    async def guard(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                    ) -> web.StreamResponse:
        refusal = _cross_site_refusal(request, trusted)  # (a Response is a mapping: empty ones are falsy)
        return refusal if refusal is not None else await handler(request)

    return guard


def _control_routes(telegram: FakeTelegram) -> list[web.RouteDef]:
    """Telegram's side, for tests, outside evaluation and the try-out page."""

    async def json_body(request: web.Request) -> Any:
        try:
            return await request.json()
        except ValueError:
            return None

    async def control_updates(request: web.Request) -> web.Response:
        update = await json_body(request)
        if not isinstance(update, dict):
            return _error(400, "Bad Request: the body must be a JSON Update object")
        try:
            return _ok(await telegram.deliver(update))
        except (KeyError, TypeError, ValueError) as problem:
            return _error(400, f"Bad Request: {problem}")

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
        fault = await json_body(request)
        if not isinstance(fault, dict) or not {"method", "status"} <= set(fault):
            return _error(400, "Bad Request: a fault needs a method and a status")
        telegram.faults.append({"times": 1, **fault})
        return _ok(True)

    async def control_group(request: web.Request) -> web.Response:
        """The group's switches: what Telegram lets the bot do there (see `GROUP_SWITCHES`)."""
        if request.method == "GET":
            return web.json_response({"chat_id": chat_id_of(request), **telegram.groups[chat_id_of(request)]})
        switches = await json_body(request)
        if not isinstance(switches, dict) or not isinstance(switches.get("chat_id"), int) or switches["chat_id"] >= 0:
            return _error(400, "Bad Request: the body needs the group's (negative) chat_id")
        unknown = sorted(set(switches) - {"chat_id", *GROUP_SWITCHES})
        if unknown or not all(isinstance(v, bool) for k, v in switches.items() if k != "chat_id"):
            return _error(400, f"Bad Request: switches are {', '.join(GROUP_SWITCHES)}, each true or false")
        chat_id = switches.pop("chat_id")
        telegram.groups[chat_id].update(switches)
        return _ok({"chat_id": chat_id, **telegram.groups[chat_id]})

    async def control_timeline(request: web.Request) -> web.Response:
        since = int(request.query.get("since", 0))
        return web.json_response({"events": telegram.timeline[since:], "next": len(telegram.timeline)})

    return [web.post("/control/updates", control_updates), web.get("/control/sent", control_sent),
            web.get("/control/chat", control_chat), web.get("/control/topics", control_topics),
            web.get("/control/callback_answers", control_callback_answers),
            web.get("/control/commands", control_commands),
            web.get("/control/timeline", control_timeline), web.route("*", "/control/faults", control_faults),
            web.route("*", "/control/group", control_group)]


def make_app(telegram: FakeTelegram | None = None, trusted_ports: Iterable[int] = ()) -> web.Application:
    """The Bot API (`/bot<token>/<method>`) and the control API; `trusted_ports`: the try-out
    page's, whose origin may send control requests here."""
    telegram = telegram or FakeTelegram()
    app = web.Application(client_max_size=50 * 1024 * 1024, middlewares=[_cross_site_guard(trusted_ports)])

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


def make_tryout_app(telegram: FakeTelegram, settings: dict[str, Any],
                    trusted_ports: Iterable[int] = ()) -> web.Application:
    """The try-out page: a newcomer's chat and the advisors' group side by side, over the
    same control API (same origin, so the page needs nothing else)."""
    page = (Path(__file__).parent / "tryout.html").read_text(encoding="utf-8")
    page = page.replace("__SETTINGS__", json.dumps(settings))

    async def index(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html", charset="utf-8")

    app = web.Application(middlewares=[_cross_site_guard(trusted_ports)])
    app.router.add_get("/", index)
    app.router.add_routes(_control_routes(telegram))
    return app


async def serve(host: str, port: int, tryout_port: int | None, settings: dict[str, Any]) -> None:
    telegram = FakeTelegram()
    telegram.chat_members[(settings["advisorsChat"], settings["advisor"])] = "administrator"
    trusted_ports = [p for p in (port, tryout_port) if p]
    runners = [web.AppRunner(make_app(telegram, trusted_ports))]
    if tryout_port:
        runners.append(web.AppRunner(make_tryout_app(telegram, settings, trusted_ports)))
    for runner, site_port in zip(runners, (port, tryout_port), strict=False):  # no try-out runner without its port
        await runner.setup()
        await web.TCPSite(runner, host, site_port).start()
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.fake_telegram", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--tryout-port", type=int, help="also serve the try-out page here (make run: 8080)")
    parser.add_argument("--advisors-chat", type=int, default=-1001000000001)
    parser.add_argument("--advisor", type=int, default=1000001, help="an admin of the advisors' group")
    parser.add_argument("--workspace-url", help="the coordinators' workspace, shown on the try-out page")
    parser.add_argument("--demo-accounts", default="", help="its demo accounts, separated by commas")
    parser.add_argument("--demo-password", default="", help="their password")
    args = parser.parse_args(argv)
    settings: dict[str, Any] = {"advisorsChat": args.advisors_chat, "advisor": args.advisor}
    if args.workspace_url:
        settings["workspace"] = {"url": args.workspace_url, "accounts": args.demo_accounts.split(","),
                                 "password": args.demo_password}
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, args.tryout_port, settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
