"""Evaluate the trained model on the held-out split, per language.

    python -m devtools.nlu_report --model models --data tests/data/nlu --out reports/nlu

Writes `summary.json` (accuracy per language, macro-F1 over the topic intents per language,
recall of request_human, the safety figures of `safety_figures`, the share of annotated day
words found with the right value, F1 per intent), `topics.md` (F1 per topic and language),
`fallback.json` (how accuracy, the fallback rate and the safety figures move with the
FallbackClassifier's and EmergencyFirst's bars) and
`confusion_matrix.png`. The split's files are named by language (`de.yml`, ...);
`unclear.yml` holds messages that should end in nlu_fallback."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools.model import load_agent, parse, quiet_rasa_logs
from nlu.components import EmergencyBars, read_danger
from nlu.crisis import DANGER, EMERGENCY, Danger, mentions_crisis
from texts import LANGUAGES, TOPIC_OF_INTENT

TOPIC_INTENTS = tuple(TOPIC_OF_INTENT)
FALLBACK = "nlu_fallback"
DANGER_CHECK = "danger_check"
"""What an emergency the model is unsure of ends in: the numbers and the question whether
there is danger now, no urgent hand-over."""


@dataclass(frozen=True)
class Prediction:
    language: str
    text: str
    expected: str
    ranking: tuple[tuple[str, float], ...]  # the classifier's ranking, fallback removed
    predicted: str  # after the configured pipeline: an intent, nlu_fallback or danger_check
    detected_language: str  # what the LanguageDetector said, without conversation context
    expected_weekday: str | None = None  # the annotated day word's value ("und am [Samstag](sat)?")
    weekday: str | None = None  # the `weekday` entity the pipeline found


def annotated_weekdays(data_dir: Path) -> dict[tuple[str, str], str]:
    """(language, text) -> the value of its annotated `weekday` entity."""
    from rasa.shared.nlu.training_data.loading import load_data

    return {
        (path.stem, message.get("text")): entity["value"]
        for path in sorted(data_dir.glob("*.yml"))
        for message in load_data(str(path)).intent_examples
        for entity in message.get("entities") or []
        if entity["entity"] == "weekday"
    }


def read_split(data_dir: Path) -> list[tuple[str, str, str]]:
    """(language, text, expected intent) for every example of the split."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in sorted(data_dir.glob("*.yml")):
        for message in load_data(str(path)).intent_examples:
            examples.append((path.stem, message.get("text"), message.get("intent")))
    return examples


async def predict(model_dir: Path, examples: Sequence[tuple[str, str, str]],
                  weekdays: dict[tuple[str, str], str]) -> list[Prediction]:
    agent = load_agent(model_dir)
    predictions = []
    for language, text, expected in examples:
        result = await parse(agent, text)
        ranking = tuple(
            (r["name"], float(r["confidence"]))
            for r in result.get("intent_ranking", [])
            if r["name"] != FALLBACK
        )
        found = next((e["value"] for e in result.get("entities", []) if e["entity"] == "weekday"), None)
        predicted = DANGER_CHECK if result.get(DANGER) == Danger.POSSIBLE.value else result["intent"]["name"]
        predictions.append(Prediction(language, text, expected, ranking, predicted,
                                      result["language"]["code"], weekdays.get((language, text)), found))
    return predictions


def decide(prediction: Prediction, names_a_crisis: bool, threshold: float, ambiguity: float,
           bars: EmergencyBars) -> str:
    """What the pipeline's last two steps would say with these settings: Rasa's
    FallbackClassifier rule, then EmergencyFirst."""
    ranking = [{"name": name, "confidence": confidence} for name, confidence in prediction.ranking]
    danger = read_danger(ranking, names_a_crisis, bars)
    if danger is not None:
        return EMERGENCY if danger is Danger.CERTAIN else DANGER_CHECK
    (best, confidence), *rest = prediction.ranking or ((FALLBACK, 0.0),)
    second = rest[0][1] if rest else 0.0
    if confidence < threshold or confidence - second < ambiguity:
        return FALLBACK
    return best


def _metrics(predictions: Sequence[Prediction], labels: Iterable[str]) -> dict:
    from sklearn.metrics import f1_score, recall_score

    expected = [p.expected for p in predictions]
    # the danger check gives the emergency numbers too: scored as an emergency
    predicted = [EMERGENCY if p.predicted == DANGER_CHECK else p.predicted for p in predictions]
    labels = [label for label in labels if label in expected]
    accuracy = sum(e == p for e, p in zip(expected, predicted, strict=True)) / max(len(expected), 1)
    result: dict[str, Any] = {
        "examples": len(expected),
        "accuracy": round(accuracy, 4),
        "language_detection_accuracy": round(
            sum(p.detected_language == p.language for p in predictions) / max(len(predictions), 1), 4
        ),
        "topic_macro_f1": round(
            float(f1_score(expected, predicted, labels=list(TOPIC_INTENTS), average="macro", zero_division=0)), 4
        ),
    }
    result.update(safety_figures([(p, p.predicted) for p in predictions]))
    with_day = [p for p in predictions if p.expected_weekday]
    if with_day:
        result["weekday_accuracy"] = round(sum(p.weekday == p.expected_weekday for p in with_day) / len(with_day), 4)
    if "request_human" in expected:
        result["request_human_recall"] = round(
            float(recall_score(expected, predicted, labels=["request_human"], average="macro", zero_division=0)), 4
        )
    result["f1_per_intent"] = {
        label: round(float(score), 4)
        for label, score in zip(
            labels, f1_score(expected, predicted, labels=labels, average=None, zero_division=0), strict=True
        )
    }
    return result


def summarise(predictions: Sequence[Prediction]) -> dict:
    labels = sorted({p.expected for p in predictions})
    languages = sorted({p.language for p in predictions})
    return {
        "overall": _metrics(predictions, labels),
        "per_language": {
            language: _metrics([p for p in predictions if p.language == language], labels)
            for language in languages
        },
        "errors": [
            {"language": p.language, "text": p.text, "expected": p.expected, "predicted": p.predicted}
            for p in predictions
            if p.expected != p.predicted
        ],
    }


def safety_figures(outcomes: Sequence[tuple[Prediction, str]]) -> dict[str, float]:
    """How emergencies and ordinary questions end: `emergency_recall` is the share of
    emergencies that get the emergency numbers in the first reply (as an emergency or with the
    danger check), `urgent_handover_recall` the share also handed to an advisor at once;
    `false_emergency_share` the share of ordinary questions read as emergencies (numbers and
    an urgent hand-over), `danger_check_share` the share asked whether there is danger."""
    emergencies = [outcome for p, outcome in outcomes if p.expected == EMERGENCY]
    ordinary = [outcome for p, outcome in outcomes if p.expected != EMERGENCY]

    def share(hits: int, of: Sequence[str]) -> float:
        return round(hits / max(len(of), 1), 4)

    figures = {
        "urgent_handover_recall": share(emergencies.count(EMERGENCY), emergencies),
        "false_emergency_share": share(ordinary.count(EMERGENCY), ordinary),
        "danger_check_share": share(ordinary.count(DANGER_CHECK), ordinary),
    }
    if emergencies:
        figures["emergency_recall"] = share(emergencies.count(EMERGENCY) + emergencies.count(DANGER_CHECK),
                                            emergencies)
    return figures


def fallback_grid(predictions: Sequence[Prediction]) -> list[dict]:
    """Accuracy, fallback rate, request_human recall and the safety figures for a grid of
    settings of the FallbackClassifier and EmergencyFirst."""
    crisis = [mentions_crisis(p.text) for p in predictions]
    grid = []
    for threshold, ambiguity, floor, certain, crisis_floor in itertools.product(
        (0.3, 0.4, 0.5, 0.6), (0.0, 0.05, 0.1), (0.1, 0.2, 0.3, 0.5),
        (0.0, 0.5, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 1.01), (0.0, 0.05, 0.2)
    ):
        bars = EmergencyBars(min_confidence=floor, certain_confidence=certain, crisis_min_confidence=crisis_floor)
        outcomes = [(p, decide(p, names_a_crisis, threshold, ambiguity, bars))
                    for p, names_a_crisis in zip(predictions, crisis, strict=True)]
        scored = [(p.expected, EMERGENCY if o == DANGER_CHECK else o) for p, o in outcomes]
        asked_for_a_person = [o == "request_human" for p, o in outcomes if p.expected == "request_human"]
        row = {
            "threshold": threshold,
            "ambiguity_threshold": ambiguity,
            "emergency_min_confidence": floor,
            "emergency_certain_confidence": certain,
            "crisis_min_confidence": crisis_floor,
            "accuracy": round(sum(e == o for e, o in scored) / len(scored), 4),
            "fallback_rate": round(sum(o == FALLBACK for _, o in outcomes) / len(outcomes), 4),
            "request_human_recall": round(sum(asked_for_a_person) / max(len(asked_for_a_person), 1), 4),
            **safety_figures(outcomes),
        }
        grid.append(row)
    return grid


def best_setting(grid: Sequence[dict], min_emergency_recall: float, max_false_emergencies: float) -> dict:
    """The most accurate setting that keeps emergency recall and false emergencies within
    their bounds (ties: more urgent hand-overs, fewer false emergencies, fewer danger checks,
    more asking back where two intents are close); if none does, emergency recall comes first:
    the setting with the highest recall, and of those the fewest false emergencies."""
    within = [row for row in grid if row["emergency_recall"] >= min_emergency_recall
              and row["false_emergency_share"] <= max_false_emergencies]
    if within:
        return max(within, key=lambda row: (row["accuracy"], row["urgent_handover_recall"],
                                            -row["false_emergency_share"], -row["danger_check_share"],
                                            row["ambiguity_threshold"]))
    return max(grid, key=lambda row: (row["emergency_recall"], -row["false_emergency_share"], row["accuracy"]))


def topic_table(summary: dict) -> str:
    """F1 per topic intent (rows) and language (columns), as a Markdown table."""
    languages = [language for language in LANGUAGES if language in summary["per_language"]]
    lines = ["| topic | " + " | ".join(languages) + " | all |", "|---" * (len(languages) + 2) + "|"]
    for intent in TOPIC_INTENTS:
        scores = [summary["per_language"][language]["f1_per_intent"].get(intent) for language in languages]
        scores.append(summary["overall"]["f1_per_intent"].get(intent))
        lines.append(f"| {TOPIC_OF_INTENT[intent]} | " + " | ".join(
            "–" if score is None else f"{score:.3f}" for score in scores) + " |")
    return "\n".join(lines)


def plot_confusion_matrix(predictions: Sequence[Prediction], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    labels = sorted({p.expected for p in predictions} | {p.predicted for p in predictions})
    figure, axes = plt.subplots(figsize=(12, 11))
    ConfusionMatrixDisplay.from_predictions(
        [p.expected for p in predictions],
        [p.predicted for p in predictions],
        labels=labels,
        ax=axes,
        xticks_rotation="vertical",
        colorbar=False,
    )
    axes.set_title("Intent confusion matrix, held-out split, all languages")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.nlu_report", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("models"))
    parser.add_argument("--data", type=Path, default=Path("tests/data/nlu"))
    parser.add_argument("--out", type=Path, default=Path("reports/nlu"))
    parser.add_argument("--min-emergency-recall", type=float, default=0.96,
                        help="emergency recall a setting must keep (default: the figure before issue 15)")
    parser.add_argument("--max-false-emergencies", type=float, default=0.002,
                        help="the share of ordinary questions a setting may read as emergencies")
    args = parser.parse_args(argv)
    quiet_rasa_logs()

    predictions = asyncio.run(predict(args.model, read_split(args.data), annotated_weekdays(args.data)))
    args.out.mkdir(parents=True, exist_ok=True)
    summary = summarise(predictions)
    (args.out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    grid = fallback_grid(predictions)
    (args.out / "fallback.json").write_text(json.dumps(grid, indent=2), encoding="utf-8")
    plot_confusion_matrix(predictions, args.out / "confusion_matrix.png")

    topics = topic_table(summary)
    (args.out / "topics.md").write_text(f"F1 per topic and language on the held-out split\n\n{topics}\n",
                                        encoding="utf-8")

    print(f"{'language':10}{'n':>6}{'accuracy':>10}{'topic F1':>10}{'human R':>9}{'emerg. R':>9}{'urgent R':>9}"
          f"{'false em.':>10}{'checked':>9}{'lang ID':>9}{'day':>7}")
    for language, m in {**summary["per_language"], "all": summary["overall"]}.items():
        print(
            f"{language:10}{m['examples']:>6}{m['accuracy']:>10.3f}{m['topic_macro_f1']:>10.3f}"
            f"{m.get('request_human_recall', float('nan')):>9.3f}{m.get('emergency_recall', float('nan')):>9.3f}"
            f"{m['urgent_handover_recall']:>9.3f}{m['false_emergency_share']:>10.4f}{m['danger_check_share']:>9.4f}"
            f"{m['language_detection_accuracy']:>9.3f}{m.get('weekday_accuracy', float('nan')):>7.3f}"
        )
    print(f"\nF1 per topic and language:\n{topics}\n")
    best = best_setting(grid, args.min_emergency_recall, args.max_false_emergencies)
    print(f"best setting on this split (emergency recall >= {args.min_emergency_recall}, "
          f"false emergencies <= {args.max_false_emergencies}): {best}")
    print(f"reports written to {args.out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
