"""Safety first: a likely emergency is never lost to another intent or to the fallback."""

from nlu.components import emergency_comes_first


def test_an_emergency_ranked_second_still_wins_when_it_is_likely_enough():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "ask_housing", "confidence": 0.45},
        {"name": "emergency", "confidence": 0.3},
    ]
    assert emergency_comes_first(ranking, min_confidence=0.2) == {"name": "emergency", "confidence": 0.3}


def test_an_unlikely_emergency_does_not_override_the_answer():
    ranking = [{"name": "ask_housing", "confidence": 0.9}, {"name": "emergency", "confidence": 0.05}]
    assert emergency_comes_first(ranking, min_confidence=0.2) is None


def test_a_crisis_term_lowers_the_bar_but_the_model_must_still_see_some_danger():
    ranking = [{"name": "ask_housing", "confidence": 0.9}, {"name": "emergency", "confidence": 0.06}]
    assert emergency_comes_first(ranking, 0.8, names_a_crisis=True, crisis_min_confidence=0.05) == {
        "name": "emergency", "confidence": 0.06}
    assert emergency_comes_first(ranking, 0.8, names_a_crisis=False, crisis_min_confidence=0.05) is None
    assert emergency_comes_first(ranking, 0.8, names_a_crisis=True, crisis_min_confidence=0.1) is None


def test_the_trained_pipeline_puts_an_unsure_suicidal_message_into_emergency(parse):
    result = parse("i think i will end everything tonight, nothing makes sense")
    assert result["intent"]["name"] == "emergency"
