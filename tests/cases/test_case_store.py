"""Cases survive restarts and repeated updates: one active case per newcomer, each message
mirrored once, urgent cases first in the queue, and /delete leaves nothing of the person."""

from __future__ import annotations

import pytest

from cases.store import CaseStore
from devtools.scratch import migrated


@pytest.fixture
def cases(store_url):
    engine = migrated(store_url)
    yield CaseStore(engine)
    engine.dispose()


def test_a_newcomer_has_one_active_case_and_an_emergency_raises_its_priority(cases):
    case, new = cases.open_case("s1", 42, "uk", "housing", "normal", "request_human")
    again, new_again = cases.open_case("s1", 42, "uk", None, "urgent", "emergency")
    assert new and not new_again and again.id == case.id and again.priority == "urgent"
    cases.close(case.id)
    _, fresh = cases.open_case("s1", 42, "uk", None, "normal", "request_human")
    assert fresh


def test_the_queue_puts_urgent_cases_first_then_the_longest_waiting(cases):
    first, _ = cases.open_case("a", 1, "ar", "work", "normal", "request_human")
    second, _ = cases.open_case("b", 2, "prs", None, "normal", "nlu_fallback")
    urgent, _ = cases.open_case("c", 3, "de", None, "urgent", "emergency")
    cases.claim(second.id, advisor_id=1000001)
    assert [c.id for c in cases.queue()] == [urgent.id, first.id, second.id]
    assert cases.queue()[2].status == "claimed"


def test_a_message_is_mirrored_once_even_when_its_update_comes_twice(cases):
    case, _ = cases.open_case("s", 42, "de", None, "normal", "request_human")
    assert cases.claim_mirror(case.id, "in", 42, 7)
    assert not cases.claim_mirror(case.id, "in", 42, 7)


def test_the_inbox_keeps_every_update_until_it_is_handled_and_stores_a_repeated_one_once(cases):
    cases.receive([{"update_id": 100, "message": {"text": "a"}}, {"update_id": 101, "message": {"text": "b"}}])
    cases.receive([{"update_id": 101, "message": {"text": "b"}}])
    assert [u["update_id"] for u in cases.unprocessed()] == [100, 101]
    cases.mark_processed(100)
    assert [u["update_id"] for u in cases.unprocessed()] == [101] and cases.is_processed(100)
    assert cases.attempt(101)[0] == 1 and cases.attempt(101)[0] == 2


def test_an_update_id_that_comes_back_with_other_content_is_a_new_update(cases):
    cases.receive([{"update_id": 1, "message": {"text": "old"}}])
    cases.mark_processed(1)
    cases.receive([{"update_id": 1, "message": {"text": "old"}}])
    assert cases.unprocessed() == []
    cases.receive([{"update_id": 1, "message": {"text": "after Telegram restarted its ids"}}])
    assert [u["message"]["text"] for u in cases.unprocessed()] == ["after Telegram restarted its ids"]


def message_in(chat: int, update_id: int, text: str) -> dict:
    return {"update_id": update_id, "message": {"chat": {"id": chat, "type": "private"}, "text": text}}


def test_delete_erases_the_newcomers_cases_mirrored_messages_and_telegram_updates(cases):
    case, _ = cases.open_case("gone", 42, "de", None, "normal", "request_human")
    cases.set_thread(case.id, 5)
    cases.claim_mirror(case.id, "in", 42, 7)
    cases.receive([message_in(42, 10, "Ich heiße Olena"), message_in(43, 11, "someone else"),
                   {"update_id": 12, "callback_query": {"id": "q", "data": "/affirm", "message": {"chat": {"id": 42}}}},
                   message_in(42, 13, "written after the yes, still waiting")])
    cases.mark_processed(10)
    assert cases.threads_of("gone") == [5]
    assert cases.forget_sender("gone", 42, up_to_update=12) == 1
    assert cases.active_case_of("gone") is None and cases.case_in_thread(5) is None and cases.threads_of("gone") == []
    assert cases.claim_mirror(999, "in", 42, 7)  # the old mirror row is gone too
    assert [u["update_id"] for u in cases.unprocessed()] == [11, 13]  # another's, and one still to answer
    assert not cases.is_processed(10)  # the handled update of the newcomer is gone, not just marked


def test_every_kind_of_update_is_stored_with_its_chat_so_that_delete_finds_it(cases):
    person = {"id": 44, "is_bot": False, "first_name": "Olena"}
    cases.receive([
        {"update_id": 20, "message_reaction": {"chat": {"id": 44, "type": "private"}, "user": person, "message_id": 3}},
        {"update_id": 21, "my_chat_member": {"chat": {"id": 44, "type": "private"}, "from": person}},
        {"update_id": 22, "edited_message": {"chat": {"id": 44, "type": "private"}, "text": "edited"}},
        # its message too old to come
        {"update_id": 23, "callback_query": {"id": "q", "from": person, "data": "/affirm"}},
    ])
    cases.forget_sender("nobody-with-cases", 44, up_to_update=23)
    assert cases.unprocessed() == []
