"""Lotse's natural-language understanding: training data (one YAML file per language),
the text clean-up and language detection that run before Rasa's classifier.
Its report and benchmark scripts are development tools (devtools/)."""
