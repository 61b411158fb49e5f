"""The fake Bot API behaves like Telegram where Lotse relies on it: the real PTB client gets
updates in order and once confirmed never again, sends messages with keyboards, creates forum
topics and copies messages into them; the control API shows all of it. It refuses what Telegram
refuses (texts too long, HTML it cannot parse, deleted topics, rights the group took away), and
its control API refuses requests other sites' pages could send."""

from __future__ import annotations

import asyncio
import functools
import json

import httpx
import pytest
from aiohttp import web
from telegram import Bot, ChatMemberAdministrator, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from devtools.fake_telegram import BOT_USER, GROUP_SWITCHES, FakeTelegram, make_app, make_tryout_app, shown_text
from devtools.local import free_port

GROUP = -1001000000001


@pytest.fixture
def fake_telegram():
    """The fake Bot API on a free port, served from a loop of the test's own."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(make_app())
    loop.run_until_complete(runner.setup())
    port = free_port()
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    yield loop, f"http://127.0.0.1:{port}"
    loop.run_until_complete(runner.cleanup())
    loop.close()


def newcomer_message(text: str) -> dict:
    return {"message": {"chat": {"id": 42, "type": "private"}, "text": text,
                        "from": {"id": 42, "is_bot": False, "first_name": "Olena", "language_code": "uk"}}}


def test_updates_messages_topics_and_copies_through_the_real_client(fake_telegram):
    loop, base = fake_telegram

    async def scenario():
        async with Bot("1:test", base_url=f"{base}/bot") as bot:
            for text in ("привіт", "де житло?"):
                await asyncio.get_running_loop().run_in_executor(None, functools.partial(
                    httpx.post, f"{base}/control/updates", json=newcomer_message(text), timeout=5))
            updates = await bot.get_updates(offset=0, timeout=1)
            assert [u.message and u.message.text for u in updates] == ["привіт", "де житло?"]
            assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Більше", callback_data="/more")]])
            await bot.send_message(42, "<b>Житло</b>", parse_mode="HTML", reply_markup=keyboard)
            topic = await bot.create_forum_topic(GROUP, "#1 · uk · housing")
            second = updates[1].message
            assert second is not None
            await bot.copy_message(GROUP, 42, second.message_id, message_thread_id=topic.message_thread_id)
            return topic

    topic = loop.run_until_complete(scenario())
    sent = loop.run_until_complete(asyncio.to_thread(httpx.get, f"{base}/control/sent", params={"chat_id": 42}))
    (answer,) = sent.json()
    assert answer["text"] == "<b>Житло</b>" and answer["parse_mode"] == "HTML"
    assert answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/more"
    topics = loop.run_until_complete(asyncio.to_thread(httpx.get, f"{base}/control/topics", params={"chat_id": GROUP}))
    assert topics.json() == [{"message_thread_id": topic.message_thread_id, "name": "#1 · uk · housing",
                              "icon_color": 7322096}]
    group = loop.run_until_complete(asyncio.to_thread(httpx.get, f"{base}/control/sent", params={"chat_id": GROUP}))
    assert [(m["text"], m["message_thread_id"]) for m in group.json()] == [("де житло?", topic.message_thread_id)]

    timeline = loop.run_until_complete(asyncio.to_thread(httpx.get, f"{base}/control/timeline", params={"since": 1}))
    events = timeline.json()["events"]
    assert [(e["kind"], e["chat_id"]) for e in events] == [("update", 42), ("sent", 42), ("topic", GROUP),
                                                           ("sent", GROUP)]
    assert events[1]["buttons"] == ["/more"] and events[3]["thread"] == topic.message_thread_id
    assert [e["at"] for e in events] == sorted(e["at"] for e in events) and timeline.json()["next"] == 5


def test_a_bad_update_or_an_unknown_method_gets_a_clear_error(fake_telegram):
    loop, base = fake_telegram
    bad = loop.run_until_complete(asyncio.to_thread(
        httpx.post, f"{base}/control/updates", content="not json", headers={"Content-Type": "application/json"}))
    assert bad.status_code == 400 and "JSON Update object" in bad.json()["description"]
    unknown = loop.run_until_complete(asyncio.to_thread(httpx.post, f"{base}/bot1:test/launchRocket"))
    assert unknown.status_code == 404 and unknown.json()["ok"] is False


def call(loop, method, url: str, **kwargs) -> httpx.Response:
    """A blocking request while the test's loop serves the fake."""
    return loop.run_until_complete(asyncio.to_thread(method, url, timeout=5, **kwargs))


def bot_api(loop, base: str, method: str, **params) -> httpx.Response:
    return call(loop, httpx.post, f"{base}/bot1:test/{method}", json=params)


def refused(reply: httpx.Response) -> str:
    assert reply.status_code == 400 and reply.json()["ok"] is False and reply.json()["error_code"] == 400
    return reply.json()["description"]


# -- cross-site requests -------------------------------------------------------------------


@pytest.fixture
def api_and_tryout():
    """The fake as `make run` serves it: the API and the try-out page, each trusting the other."""
    loop, telegram = asyncio.new_event_loop(), FakeTelegram()
    api_port, tryout_port = free_port(), free_port()
    runners = [web.AppRunner(make_app(telegram, [api_port, tryout_port])),
               web.AppRunner(make_tryout_app(telegram, {"advisorsChat": GROUP, "advisor": 1000001},
                                             [api_port, tryout_port]))]
    for runner, port in zip(runners, (api_port, tryout_port), strict=True):
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    yield loop, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{tryout_port}"
    for runner in runners:
        loop.run_until_complete(runner.cleanup())
    loop.close()


def test_a_page_of_another_site_cannot_act_through_the_control_api(api_and_tryout):
    loop, api, tryout = api_and_tryout
    update = newcomer_message("hallo")
    for base in (api, tryout):
        form = call(loop, httpx.post, f"{base}/control/updates", data={"update": json.dumps(update)})
        assert form.status_code == 415 and "application/json" in form.text
        plain = call(loop, httpx.post, f"{base}/control/updates", content=json.dumps(update),
                     headers={"Content-Type": "text/plain"})
        assert plain.status_code == 415
        for origin in ("https://evil.example", "null", "http://127.0.0.1:1", "http://localhost.evil.example:8080"):
            other = call(loop, httpx.post, f"{base}/control/updates", json=update, headers={"Origin": origin})
            assert other.status_code == 403 and other.headers["Content-Type"].startswith("text/plain")
            assert origin in other.text
        for path, body in (("faults", {"method": "sendMessage", "status": 500}),
                           ("group", {"chat_id": GROUP, "is_forum": False})):
            assert call(loop, httpx.post, f"{base}/control/{path}", content=json.dumps(body)).status_code == 415
            assert call(loop, httpx.post, f"{base}/control/{path}", json=body,
                        headers={"Origin": "https://evil.example"}).status_code == 403
        for own in (api, tryout, api.replace("127.0.0.1", "localhost"), tryout.replace("127.0.0.1", "localhost")):
            assert call(loop, httpx.post, f"{base}/control/updates", json=update,
                        headers={"Origin": own}).status_code == 200
        # scripts send no Origin
        assert call(loop, httpx.post, f"{base}/control/updates", json=update).status_code == 200
        reading = call(loop, httpx.get, f"{base}/control/chat", params={"chat_id": 42},
                       headers={"Origin": "https://evil.example"})
        assert reading.status_code == 200 and reading.json()  # reads stay as they were
    chat = call(loop, httpx.get, f"{api}/control/chat", params={"chat_id": 42}).json()
    assert [m["text"] for m in chat] == ["hallo"] * 10
    assert call(loop, httpx.get, f"{api}/control/group", params={"chat_id": GROUP}).json()["is_forum"] is True


def test_the_bot_api_refuses_a_browsers_cross_site_requests(fake_telegram):
    loop, base = fake_telegram
    form = call(loop, httpx.post, f"{base}/bot1:test/sendMessage", data={"chat_id": "42", "text": "spam"},
                headers={"Origin": "https://evil.example"})
    image = call(loop, httpx.get, f"{base}/bot1:test/getUpdates", params={"offset": 10**15},
                 headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "image"})
    assert form.status_code == image.status_code == 403
    assert call(loop, httpx.get, f"{base}/control/sent", params={"chat_id": 42}).json() == []
    typed = call(loop, httpx.get, f"{base}/bot1:test/getMe", headers={"Sec-Fetch-Site": "none"})
    assert typed.status_code == 200 and typed.json()["result"]["username"] == "lotse_local_bot"


# -- texts, captions and HTML as Telegram checks them ----------------------------------------


def test_texts_and_captions_longer_than_telegram_allows_are_refused(fake_telegram):
    loop, base = fake_telegram
    assert bot_api(loop, base, "sendMessage", chat_id=42, text="😀" * 2048).status_code == 200  # 4096 UTF-16 units
    too_long = bot_api(loop, base, "sendMessage", chat_id=42, text="😀" * 2048 + "!")
    assert too_long.json() == {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
    assert bot_api(loop, base, "sendMessage", chat_id=42, text="ä" * 4097).status_code == 400
    tagged = bot_api(loop, base, "sendMessage", chat_id=42, text=f"<b>{'x' * 4090}</b>&amp;", parse_mode="HTML")
    assert tagged.status_code == 200  # Telegram counts the text after entities parsing
    assert refused(bot_api(loop, base, "editMessageText", chat_id=42, message_id=1, text="x" * 4097)) \
        == "Bad Request: message is too long"
    assert refused(bot_api(loop, base, "sendMessage", chat_id=42, text=" \n")) == "Bad Request: message text is empty"

    assert bot_api(loop, base, "sendPhoto", chat_id=42, photo="AgAD", caption="😀" * 512).status_code == 200
    assert refused(bot_api(loop, base, "sendPhoto", chat_id=42, photo="AgAD", caption="😀" * 512 + "!")) \
        == "Bad Request: message caption is too long"
    photo = call(loop, httpx.get, f"{base}/control/sent", params={"chat_id": 42}).json()[-1]["message_id"]
    assert refused(bot_api(loop, base, "copyMessage", chat_id=GROUP, from_chat_id=42, message_id=photo,
                           caption="c" * 1025)) \
        == "Bad Request: message caption is too long"
    assert bot_api(loop, base, "copyMessage", chat_id=43, from_chat_id=42, message_id=photo,
                   caption="kurz").status_code == 200
    copies = call(loop, httpx.get, f"{base}/control/sent", params={"chat_id": 43}).json()
    assert [m.get("caption") for m in copies] == ["kurz"]
    assert [len(m["text"]) for m in call(loop, httpx.get, f"{base}/control/sent", params={"chat_id": 42}).json()
            if "text" in m] == [2048, 4102]  # nothing refused was kept


@pytest.mark.parametrize("html, shown", [
    ('<b>Житло</b> &amp; <a href="tg://user?id=1000001">Sara &#x27;S&#x27;</a>', "Житло & Sara 'S'"),
    ("<strong>a</strong><i>b</i><em>c</em><u>d</u><ins>e</ins><s>f</s><strike>g</strike><del>h</del>", "abcdefgh"),
    ('<tg-spoiler>a</tg-spoiler><span class="tg-spoiler">b</span>'
     '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "ab👍"),
    ('<pre><code class="language-python">1 &lt; 2 &gt; 0</code></pre><blockquote expandable>&quot;q&quot;</blockquote>',
     '1 < 2 > 0"q"'),
    ("a > b &#128512;\n<b>\n<i>zwei\nZeilen</i></b>", "a > b 😀\n\nzwei\nZeilen"),
])
def test_html_in_telegrams_subset_is_shown_as_text(html, shown):
    assert shown_text(html, "HTML") == shown


@pytest.mark.parametrize("html, reason", [
    ("Zeile<br>Zeile", 'Unsupported start tag "br" at byte offset 5'),
    ("<p>Absatz</p>", 'Unsupported start tag "p" at byte offset 0'),
    ("<b>fett", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("ä < b", 'Unexpected "<" at byte offset 3'),
    ("Tom & Jerry", 'Unexpected "&" at byte offset 4'),
    ("&nbsp;", 'Unsupported HTML entity "&nbsp" at byte offset 0'),
    ("a &amp b", 'Unsupported HTML entity "&amp" at byte offset 2'),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("<!-- hidden -->", 'Unsupported start tag "!--" at byte offset 0'),
    ("<b/>", 'Unsupported start tag "b/" at byte offset 0'),
])
def test_html_telegram_cannot_parse_is_refused(html, reason):
    with pytest.raises(ValueError) as refusal:
        shown_text(html, "HTML")
    assert str(refusal.value).startswith(f"can't parse entities: {reason}")


def test_html_is_checked_only_in_html_mode_and_refused_with_telegrams_error(fake_telegram):
    loop, base = fake_telegram
    assert bot_api(loop, base, "sendMessage", chat_id=42, text="Tom & Jerry <3").status_code == 200
    description = refused(bot_api(loop, base, "sendMessage", chat_id=42, text="Tom & Jerry", parse_mode="HTML"))
    assert description.startswith("Bad Request: can't parse entities: ")
    assert refused(bot_api(loop, base, "editMessageText", chat_id=42, message_id=1, text="<b>x", parse_mode="HTML")) \
        .startswith("Bad Request: can't parse entities: ")
    assert refused(bot_api(loop, base, "sendPhoto", chat_id=42, photo="AgAD", caption="<x>", parse_mode="HTML")) \
        .startswith("Bad Request: can't parse entities: ")
    edited = bot_api(loop, base, "editMessageText", chat_id=42, message_id=1, text="<i>Tom &amp; Jerry</i>",
                     parse_mode="HTML")
    assert edited.json()["result"]["parse_mode"] == "HTML"
    assert [m["text"] for m in call(loop, httpx.get, f"{base}/control/sent", params={"chat_id": 42}).json()] \
        == ["<i>Tom &amp; Jerry</i>"]


# -- forum topics, the group's rights, deleting and editing ---------------------------------


def set_group(loop, base: str, **switches) -> dict:
    reply = call(loop, httpx.post, f"{base}/control/group", json={"chat_id": GROUP, **switches})
    assert reply.status_code == 200, reply.text
    return reply.json()["result"]


def test_topics_closed_take_messages_deleted_ones_do_not(fake_telegram):
    loop, base = fake_telegram

    async def scenario():
        async with Bot("1:test", base_url=f"{base}/bot") as bot:
            kept = await bot.create_forum_topic(GROUP, "#1 · uk")
            doomed = await bot.create_forum_topic(GROUP, "#2 · ar")
            await bot.send_message(GROUP, "erste Nachricht", message_thread_id=doomed.message_thread_id)
            await bot.close_forum_topic(GROUP, doomed.message_thread_id)
            await bot.send_message(GROUP, "trotzdem", message_thread_id=doomed.message_thread_id)  # the bot is an admin
            await bot.send_message(GROUP, "bleibt", message_thread_id=kept.message_thread_id)
            assert await bot.delete_forum_topic(GROUP, doomed.message_thread_id) is True
            for attempt in (bot.send_message(GROUP, "zu spät", message_thread_id=doomed.message_thread_id),
                            bot.send_photo(GROUP, "AgAD", message_thread_id=doomed.message_thread_id),
                            bot.reopen_forum_topic(GROUP, doomed.message_thread_id),
                            bot.delete_forum_topic(GROUP, doomed.message_thread_id),
                            bot.send_message(GROUP, "nie da gewesen", message_thread_id=999)):
                with pytest.raises(BadRequest, match=r"^Message thread not found$"):
                    await attempt
            return kept.message_thread_id, doomed.message_thread_id

    kept, doomed = loop.run_until_complete(scenario())
    topics = call(loop, httpx.get, f"{base}/control/topics", params={"chat_id": GROUP}).json()
    assert [(t["message_thread_id"], t.get("closed"), t.get("deleted")) for t in topics] \
        == [(kept, None, None), (doomed, True, True)]
    for view in ("sent", "chat"):
        messages = call(loop, httpx.get, f"{base}/control/{view}", params={"chat_id": GROUP}).json()
        assert [(m["text"], m["message_thread_id"]) for m in messages] == [("bleibt", kept)]
    events = call(loop, httpx.get, f"{base}/control/timeline").json()["events"]
    assert [e["kind"] for e in events][-2:] == ["deleted", "topic_deleted"] and events[-1]["thread"] == doomed


def test_the_groups_switches_take_away_what_telegram_would(fake_telegram):
    loop, base = fake_telegram

    async def the_bots_view():
        async with Bot("1:test", base_url=f"{base}/bot") as bot:
            chat, me = await bot.get_chat(GROUP), await bot.get_chat_member(GROUP, bot.id)
            assert chat.is_forum is True and chat.type == "supergroup"
            assert me.status == "administrator" and me.user.id == bot.id
            assert isinstance(me, ChatMemberAdministrator)  # what python-telegram-bot makes of an administrator
            assert me.can_manage_topics and me.can_delete_messages
            return (await bot.create_forum_topic(GROUP, "#1 · uk")).message_thread_id

    thread = loop.run_until_complete(the_bots_view())
    assert bot_api(loop, base, "sendMessage", chat_id=GROUP, text="Lotse", message_thread_id=thread).status_code == 200
    call(loop, httpx.post, f"{base}/control/updates", json={"message": {
        "chat": {"id": GROUP, "type": "supergroup", "is_forum": True}, "text": "Sara", "message_thread_id": thread,
        "is_topic_message": True, "from": {"id": 1000001, "is_bot": False, "first_name": "Sara"}}})

    assert set_group(loop, base, can_create_topics=False) == {"chat_id": GROUP, **GROUP_SWITCHES,
                                                              "can_create_topics": False}
    no_rights = "Bad Request: not enough rights to create a topic"
    assert refused(bot_api(loop, base, "createForumTopic", chat_id=GROUP, name="#2")) == no_rights
    set_group(loop, base, can_create_topics=True, can_manage_topics=False, can_delete_messages=False)
    assert refused(bot_api(loop, base, "createForumTopic", chat_id=GROUP, name="#2")) == no_rights
    me = bot_api(loop, base, "getChatMember", chat_id=GROUP, user_id=BOT_USER["id"]).json()["result"]
    assert me["status"] == "administrator" and me["can_manage_topics"] is False and me["can_delete_messages"] is False
    assert refused(bot_api(loop, base, "deleteForumTopic", chat_id=GROUP, message_thread_id=thread)) \
        == "Bad Request: not enough rights to delete the topic"
    sara, lotse = 2, 1  # message ids in the group: the bot's post, then Sara's
    assert refused(bot_api(loop, base, "deleteMessage", chat_id=GROUP, message_id=sara)) \
        == "Bad Request: message can't be deleted"
    assert bot_api(loop, base, "deleteMessage", chat_id=GROUP, message_id=lotse).json()["result"] is True  # its own
    set_group(loop, base, is_forum=False)
    assert bot_api(loop, base, "getChat", chat_id=GROUP).json()["result"]["is_forum"] is False
    assert refused(bot_api(loop, base, "createForumTopic", chat_id=GROUP, name="#2")) \
        == "Bad Request: the chat is not a forum"
    assert refused(bot_api(loop, base, "sendMessage", chat_id=GROUP, text="x", message_thread_id=thread)) \
        == "Bad Request: message thread not found"
    assert call(loop, httpx.get, f"{base}/control/group", params={"chat_id": GROUP}).json() == {
        "chat_id": GROUP, "is_forum": False, "can_manage_topics": False, "can_delete_messages": False,
        "can_create_topics": True}
    for bad in ({"is_forum": False}, {"chat_id": 42, "is_forum": False}, {"chat_id": GROUP, "is_admin": False},
                {"chat_id": GROUP, "is_forum": "no"}):
        assert call(loop, httpx.post, f"{base}/control/group", json=bad).status_code == 400


def test_deleted_messages_are_gone_and_unknown_ones_refused(fake_telegram):
    loop, base = fake_telegram
    for text in ("eins", "zwei", "drei"):
        call(loop, httpx.post, f"{base}/control/updates", json=newcomer_message(text))
        bot_api(loop, base, "sendMessage", chat_id=42, text=f"Antwort auf {text}")
    assert bot_api(loop, base, "deleteMessage", chat_id=42, message_id=1).json() == {"ok": True, "result": True}
    assert bot_api(loop, base, "deleteMessage", chat_id=42, message_id=1).json() \
        == {"ok": False, "error_code": 400, "description": "Bad Request: message to delete not found"}
    # 77 skipped
    assert bot_api(loop, base, "deleteMessages", chat_id=42, message_ids=[2, 3, 77]).json()["result"] is True
    assert refused(bot_api(loop, base, "deleteMessages", chat_id=42, message_ids=[77, 78])) \
        == "Bad Request: message to delete not found"
    assert bot_api(loop, base, "deleteMessages", chat_id=42, message_ids=[]).status_code == 400
    chat = call(loop, httpx.get, f"{base}/control/chat", params={"chat_id": 42}).json()
    assert [m["text"] for m in chat] == ["Antwort auf zwei", "drei", "Antwort auf drei"]
    assert [m["text"] for m in call(loop, httpx.get, f"{base}/control/sent", params={"chat_id": 42}).json()] \
        == ["Antwort auf zwei", "Antwort auf drei"]
    assert refused(bot_api(loop, base, "copyMessage", chat_id=GROUP, from_chat_id=42, message_id=3)) \
        == "Bad Request: message to copy not found"
    assert refused(bot_api(loop, base, "editMessageText", chat_id=42, message_id=2, text="neu")) \
        == "Bad Request: message to edit not found"


def test_an_edited_message_reaches_the_bot_and_replaces_the_original(fake_telegram):
    loop, base = fake_telegram
    original = call(loop, httpx.post, f"{base}/control/updates",
                    json=newcomer_message("wo ist das Jobcentr?")).json()["result"]
    sent_at = original["message"]["date"]
    edit = {"edited_message": {"chat": {"id": 42, "type": "private"}, "message_id": original["message"]["message_id"],
                               "text": "wo ist das Jobcenter?"}}
    assert call(loop, httpx.post, f"{base}/control/updates", json=edit).status_code == 200

    async def scenario():
        async with Bot("1:test", base_url=f"{base}/bot") as bot:
            return await bot.get_updates(offset=0, timeout=1)

    first, second = loop.run_until_complete(scenario())
    assert first.message.text == "wo ist das Jobcentr?" and second.edited_message.text == "wo ist das Jobcenter?"
    assert second.edited_message.message_id == first.message.message_id and second.edited_message.edit_date is not None
    assert second.edited_message.from_user.first_name == "Olena" and second.effective_chat.id == 42
    (shown,) = call(loop, httpx.get, f"{base}/control/chat", params={"chat_id": 42}).json()
    assert shown["text"] == "wo ist das Jobcenter?" and shown["date"] == sent_at and "edit_date" in shown
    events = call(loop, httpx.get, f"{base}/control/timeline", params={"since": 0}).json()["events"]
    assert [(e["kind"], e["chat_id"], e.get("edited")) for e in events] == [("update", 42, None), ("update", 42, True)]
    unknown = call(loop, httpx.post, f"{base}/control/updates",
                   json={"edited_message": {**edit["edited_message"], "message_id": 99}})
    assert unknown.status_code == 400 and "earlier message" in unknown.json()["description"]
