"""The advisors' group: a new case mentions those who speak the newcomer's language (everyone
when nobody does), the newcomer hears how many wait before them or, outside office hours,
when advisors are back; `/queue` lists the cases, and only admins can `/register` an advisor."""

from __future__ import annotations

from datetime import datetime

from bot.settings import LOCAL_ADVISOR, LOCAL_ADVISORS_CHAT
from cases.office_hours import OfficeHours
from knowledge.entry import WEEKDAYS
from tests.conftest import BIELEFELD, TEXTS
from tests.helpers.telegram import (
    deliver,
    group_texts,
    in_group,
    in_topic,
    open_case,
    posts_in,
    sent,
    topics,
    wait_for,
)


def test_a_case_mentions_the_advisors_speaking_its_language_or_everyone(telegram):
    in_group(telegram, LOCAL_ADVISOR, "/languages uk ar", name="Maria")
    wait_for(lambda: [t for t in group_texts(telegram) if t == "Maria spricht: uk, ar"])

    user, thread = open_case(telegram, "uk", "хочу поговорити з консультантом")
    routing = wait_for(lambda: [t for t in posts_in(telegram, thread) if t.startswith("Spricht uk:")])[0]
    assert routing == f'Spricht uk: <a href="tg://user?id={LOCAL_ADVISOR}">Maria</a>'
    waiting = wait_for(lambda: [m["text"] for m in sent(telegram, user) if "чекають людей" in (m.get("text") or "")])
    assert waiting

    _, other = open_case(telegram, "fa", "میخواهم با یک مشاور گپ بزنم")
    assert wait_for(lambda: [t for t in posts_in(telegram, other)
                             if t.startswith("Niemand hat prs als Sprache angegeben")])


def test_queue_lists_open_cases_with_their_waiting_time(telegram):
    _, thread = open_case(telegram, "en", "I need to speak with a human advisor")
    topic_name = next(t["name"] for t in topics(telegram) if t["message_thread_id"] == thread)
    case_number = topic_name.split("#")[1].split(" ")[0]
    in_group(telegram, LOCAL_ADVISOR, "/queue")
    queue = wait_for(lambda: [t for t in group_texts(telegram) if f"#{case_number} · en" in t and "wartet seit" in t])
    assert "noch niemand" in queue[-1]


def test_only_an_admin_registers_an_advisor_who_then_can_relay(telegram):
    helper = 5550001
    in_group(telegram, helper, "/register", name="Not an admin")
    wait_for(lambda: [t for t in group_texts(telegram) if t.startswith("Nur Admins der Gruppe")])
    user, thread = open_case(telegram, "de", "Ich möchte mit einem Menschen sprechen")
    their_message = {"message_id": 1, "date": 0, "chat": {"id": LOCAL_ADVISORS_CHAT, "type": "supergroup"},
                     "from": {"id": helper, "is_bot": False, "first_name": "Sara"}, "text": "Hallo"}
    in_group(telegram, LOCAL_ADVISOR, "/register", reply_to=their_message)
    wait_for(lambda: [t for t in group_texts(telegram) if t.startswith("Sara ist jetzt als Beraterin")])
    deliver(telegram, {"message": {"chat": {"id": LOCAL_ADVISORS_CHAT, "type": "supergroup", "is_forum": True},
                                   "message_thread_id": thread, "is_topic_message": True, "text": "Hier ist Sara.",
                                   "from": {"id": helper, "is_bot": False, "first_name": "Sara"}}})
    wait_for(lambda: [m for m in sent(telegram, user) if m.get("text") == "Hier ist Sara."])


def test_outside_office_hours_a_case_opens_and_the_newcomer_hears_when_advisors_are_back(lotse_stack):
    telegram, now = lotse_stack.bot_api, datetime.now(BIELEFELD.time_zone)
    hours = f"{WEEKDAYS[(now.weekday() + 2) % 7]} 09:00-10:00"  # two days from now: closed now
    lotse_stack.crash_adapter()
    lotse_stack.start_adapter_again(LOTSE_OFFICE_HOURS=hours)
    try:
        user, thread = open_case(telegram, "de", "Ich möchte mit einem Menschen sprechen")
        back = OfficeHours.parse(hours, BIELEFELD).next_opening(now)
        assert back is not None
        expected = f"Sie ist wieder da am {TEXTS.weekday(back.weekday(), 'de')} um {back:%H:%M} Uhr"
        assert wait_for(lambda: [m for m in sent(telegram, user) if expected in (m.get("text") or "")])
        assert posts_in(telegram, thread)  # the case is there at once for anyone on duty
    finally:
        lotse_stack.crash_adapter()
        lotse_stack.start_adapter_again()


def test_lang_changes_what_the_newcomer_is_told_and_status_counts_the_cases(telegram):
    user, thread = open_case(telegram, "uk", "хочу поговорити з людиною")
    in_topic(telegram, LOCAL_ADVISOR, thread, "/lang ar")
    wait_for(lambda: "✓ ar" in posts_in(telegram, thread))
    in_group(telegram, LOCAL_ADVISOR, "/status")
    assert wait_for(lambda: [t for t in group_texts(telegram) if t.startswith("Offene Fälle:")])
    in_topic(telegram, LOCAL_ADVISOR, thread, "/close")
    assert wait_for(lambda: [m for m in sent(telegram, user)
                             if (m.get("text") or "").startswith("أنهى المستشار المحادثة")])


def test_help_in_the_group_explains_the_commands_to_advisors_only(telegram):
    in_group(telegram, 5550002, "/help", name="Passer-by")
    in_group(telegram, LOCAL_ADVISOR, "/help")
    help_text = wait_for(lambda: [t for t in group_texts(telegram) if t.startswith("Lotse öffnet für jede Übergabe")])
    assert len(help_text) == 1 and "/claim" in help_text[0] and "/queue" in help_text[0]
