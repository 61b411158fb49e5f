"""The trained model in models/ understands clear questions in every language.

A smoke test, not the benchmark: a handful of messages per language and topic that any
usable model must get right. Accuracy on the held-out split is measured by `make nlu-report`."""

import logging

import pytest

from nlu.text import MAX_MESSAGE_CHARS

CLEAR_QUESTIONS = {
    "ask_housing": [
        ("de", "wie finde ich eine wohnung in bielefeld"),
        ("en", "i am looking for an apartment for my family"),
        ("ar", "كيف ألاقي شقة للإيجار"),
        ("prs", "چطور یک خانه به کرایه پیدا کنم"),
        ("uk", "як знайти квартиру в оренду"),
    ],
    "ask_language_course": [
        ("de", "ich möchte einen deutschkurs machen"),
        ("en", "how do i register for an integration course"),
        ("ar", "بدي سجل بكورس لغة ألماني"),
        ("prs", "میخواهم در کورس لسان آلمانی ثبت نام کنم"),
        ("uk", "де записатися на курси німецької мови"),
    ],
    "ask_work": [
        ("de", "ich suche arbeit, wer kann mir helfen"),
        ("en", "how can i find a job here"),
        ("ar", "عم دور على شغل بدي مساعدة"),
        ("prs", "دنبال کار هستم کمک میخواهم"),
        ("uk", "шукаю роботу, куди звернутися"),
    ],
    "ask_residence": [
        ("de", "meine aufenthaltserlaubnis läuft bald ab was muss ich tun"),
        ("en", "how do i extend my residence permit"),
        ("ar", "اقامتي رح تخلص كيف بجددها"),
        ("prs", "اقامتم تمام میشه چطور تمدید کنم"),
        ("uk", "як продовжити дозвіл на перебування"),
    ],
    "ask_health": [
        ("de", "wie bekomme ich eine krankenversicherungskarte"),
        ("en", "where can i find a dentist"),
        ("ar", "وين بلاقي دكتور اسنان"),
        ("prs", "داکتر دندان کجا پیدا کنم"),
        ("uk", "де знайти стоматолога"),
    ],
    "ask_children_school": [
        ("de", "wie bekomme ich einen kitaplatz"),
        ("en", "how do i enrol my son in school"),
        ("ar", "كيف بسجل ابني بالمدرسة"),
        ("prs", "چطور پسرم را در مکتب ثبت نام کنم"),
        ("uk", "як записати сина до школи"),
    ],
    "ask_money_benefits": [
        ("de", "wie beantrage ich kindergeld"),
        ("en", "how do i apply for child benefit kindergeld"),
        ("ar", "كيف بقدم على الكيندرغيلد"),
        ("prs", "چطور برای کیندرگلد درخواست بدهم"),
        ("uk", "як подати на кіндергельд"),
    ],
    "emergency": [
        ("de", "mein mann schlägt mich, ich habe angst"),
        ("en", "i want to kill myself"),
        ("ar", "زوجي عم يضربني ساعدوني"),
        ("prs", "شوهرم مرا لت و کوب میکنه کمک کنید"),
        ("uk", "чоловік мене бʼє, допоможіть"),
    ],
    "request_human": [
        ("de", "ich möchte mit einem menschen sprechen"),
        ("en", "can i talk to a real person please"),
        ("ar", "بدي احكي مع شخص حقيقي"),
        ("prs", "میخواهم با یک آدم گپ بزنم"),
        ("uk", "хочу поговорити з живою людиною"),
    ],
}


@pytest.mark.parametrize(
    "expected, language, text",
    [(intent, lang, text) for intent, cases in CLEAR_QUESTIONS.items() for lang, text in cases],
)
def test_clear_questions_are_classified_in_every_language(parse, expected, language, text):
    result = parse(text)
    assert result["intent"]["name"] == expected, result["intent_ranking"][:3]
    assert result["language"]["code"] == language


ORDINARY_FAMILY_REQUESTS = [
    ("ar", "ابحث عن شقة لعائلتي، نحن خمسة أشخاص"),
    ("ar", "مرحبا، بدي بيت لإلي ولعيلتي بأسرع وقت"),
    ("de", "wir suchen dringend eine wohnung für meine familie mit drei kindern"),
    ("prs", "برای خانواده‌ام یک خانه میخواهم، سه طفل دارم"),
    ("uk", "шукаю житло для себе і двох дітей, дуже потрібно"),
    ("en", "my wife is pregnant and we urgently need a bigger flat"),
]


@pytest.mark.parametrize("language, text", ORDINARY_FAMILY_REQUESTS)
def test_an_ordinary_request_for_the_family_is_no_emergency(parse, language, text):
    """Emergency numbers and an urgent hand-over scare a newcomer who asked for a flat, and
    cost an advisor; the share on the held-out split is in `make nlu-report`."""
    assert parse(text)["intent"]["name"] != "emergency"


@pytest.mark.parametrize("text", ["ساعدوني", "کمک کنید", "допоможіть будь ласка", "hilfe bitte",
                                  "هیچ پولی ندارم و اولادهایم گرسنه هستند"])
def test_a_bare_cry_for_help_or_a_worried_question_is_asked_whether_there_is_danger(parse, text):
    """The model sees danger but is unsure and no crisis term is named: the newcomer gets the
    numbers and the question (action_emergency), no advisor is alarmed."""
    result = parse(text)
    assert (result["intent"]["name"], result.get("danger")) == ("emergency", "possible")


@pytest.mark.parametrize("text", ["زوجي يضربني", "он бьет меня каждый день", "ich will mich umbringen"])
def test_a_named_crisis_is_a_certain_emergency(parse, text):
    result = parse(text)
    assert (result["intent"]["name"], result.get("danger")) == ("emergency", "certain")


def test_a_clear_message_carries_its_language_as_an_entity_for_the_language_slot(parse):
    entities = parse("де можна знайти квартиру")["entities"]
    assert {"entity": "language", "value": "uk"}.items() <= entities[0].items()


def test_a_message_without_evidence_leaves_the_language_slot_alone(parse):
    assert [e for e in parse("ok")["entities"] if e["entity"] == "language"] == []


BAD_INPUTS = {
    "empty": "",
    "whitespace only": " \n\t  ",
    "emoji only": "🙏🙏😭👍",
    "10,000 characters": "ich brauche eine wohnung " * 400,
    "mixed scripts": "Hallo مرحبا Привіт سلام Jobcenter 123",
    "control characters": "wo\x00 ist\x07 das\x1b[31m jobcenter",
    "bidi override": "\u202eretnecboJ\u202c \u2067ist wo\u2069",
}


@pytest.mark.parametrize("text", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_never_crashes_and_still_gets_an_intent_and_a_language(parse, text):
    result = parse(text)
    assert result["intent"]["name"] is not None or result["text"] == ""
    assert len(result["text"]) <= MAX_MESSAGE_CHARS
    assert "\x00" not in result["text"] and "\u202e" not in result["text"]
    assert result["language"]["code"] in {"de", "ar", "prs", "uk", "en"}


def test_over_long_message_is_cut_before_nlu_and_the_cut_is_logged(parse, caplog):
    with caplog.at_level(logging.INFO, logger="nlu.text"):
        result = parse("ich brauche eine wohnung in bielefeld " * 300)
    assert len(result["text"]) <= MAX_MESSAGE_CHARS
    assert result["intent"]["name"] == "ask_housing"
    assert "cut before NLU" in caplog.text
