"""The Rasa project is consistent: data validates, every phrase exists in every language,
and the held-out split is never trained on."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import PROJECT_ROOT, TEXTS
from texts import LANGUAGES, MENU_PAGES, menu_page
from texts.topics import TOPIC_LIST


def _examples(path: Path) -> dict[str, str]:
    """normalised example text -> intent"""
    examples = {}
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        if "intent" in block:
            for line in block["examples"].splitlines():
                text = re.sub(r"[\W_]+", " ", line.strip()[2:].lower()).strip()
                if text:
                    examples[text] = block["intent"]
    return examples


@pytest.mark.rasa
def test_rasa_data_validate_passes_without_warnings():
    rasa = Path(sys.executable).with_name("rasa")
    result = subprocess.run(
        [str(rasa), "data", "validate", "--data", "nlu", "stories", "--fail-on-warnings"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "UserWarning" not in result.stderr


@pytest.mark.parametrize("table", ["newcomers", "advisors", "workspace"])
def test_every_phrase_exists_in_every_language_with_the_same_placeholders(table):
    for key, texts in yaml.safe_load((PROJECT_ROOT / "texts" / f"{table}.yml").read_text(encoding="utf-8")).items():
        assert sorted(texts) == sorted(LANGUAGES), key
        assert all(text.strip() for text in texts.values()), key
        placeholders = {language: sorted(re.findall(r"{(\w+)}", text)) for language, text in texts.items()}
        assert len({tuple(p) for p in placeholders.values()}) == 1, f"{key}: {placeholders}"


def _count(path: Path, intent: str) -> int:
    return sum(1 for found in _examples(path).values() if found == intent)


def test_every_topic_is_complete_as_data_and_the_menu_no_wall_of_buttons():
    """A topic is one item of texts/topics.yml plus its intent's data: texts in every
    language, the intent in the domain with its rule, at least 60 training examples and
    held-out questions per language. Nothing in actions/ or bot/ names a topic."""
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    rules = yaml.safe_load((PROJECT_ROOT / "stories" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    answered = {rule["steps"][0]["intent"] for rule in rules
                if rule["steps"][1:] == [{"action": "action_answer_topic"}] and "intent" in rule["steps"][0]}
    for topic in TOPIC_LIST:
        for texts in (topic.button, topic.intro):
            assert sorted(texts) == sorted(LANGUAGES) and all(text.strip() for text in texts.values()), topic.id
            assert len({tuple(re.findall(r"{(\w+)}", text)) for text in texts.values()}) == 1, topic.id
        assert topic.intent in domain["intents"] and topic.intent in answered, topic.id
        for language in LANGUAGES:
            assert _count(PROJECT_ROOT / "nlu" / f"{language}.yml", topic.intent) >= 60, (topic.id, language)
            assert _count(PROJECT_ROOT / "tests" / "data" / "nlu" / f"{language}.yml", topic.intent) >= 10, (
                topic.id, language)
    assert sum(map(len, map(menu_page, MENU_PAGES))) == len(TOPIC_LIST)
    assert all(len(menu_page(page)) <= 4 for page in MENU_PAGES)
    for package in ("actions", "bot"):
        for source in (PROJECT_ROOT / package).glob("*.py"):
            code = source.read_text(encoding="utf-8")
            assert not [t.id for t in TOPIC_LIST if f'"{t.id}"' in code or f'"{t.intent}"' in code], source


def test_every_action_of_the_domain_and_the_rules_is_served_by_the_action_server(resources):
    from actions import all_actions

    served = [action.name() for action in all_actions(resources)]
    assert len(served) == len(set(served))
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    rules = yaml.safe_load((PROJECT_ROOT / "stories" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    used = {step["action"] for rule in rules for step in rule["steps"] if "action" in step}
    assert used <= set(domain["actions"]) == set(served)
    assert "responses" not in domain, "one mechanism for texts: texts/newcomers.yml"


@pytest.mark.parametrize("language", LANGUAGES)
def test_held_out_split_is_never_trained_on(language):
    train = _examples(PROJECT_ROOT / "nlu" / f"{language}.yml")
    held_out = _examples(PROJECT_ROOT / "tests" / "data" / "nlu" / f"{language}.yml")
    assert held_out, "the held-out split is empty"
    assert sorted(set(train) & set(held_out)) == []


def test_the_privacy_notice_says_what_the_code_does():
    """How long, how much of the conversation advisors see, how long Telegram's raw updates
    stay (in hours): each number in the notice is the one the code uses, in every language."""
    from bot.rasa_client import TRANSCRIPT_MESSAGES
    from retention.limits import INBOX_KEEP
    from texts import privacy_notice

    for language in LANGUAGES:
        notice = privacy_notice(TEXTS, language, keep_days=30)
        assert "30" in notice and "90" not in notice, language
        assert str(TRANSCRIPT_MESSAGES) in notice and str(int(INBOX_KEEP.total_seconds() // 3600)) in notice, language
