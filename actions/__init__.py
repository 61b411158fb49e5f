"""Lotse's rasa-sdk action server: `rasa run actions` registers the actions in `actions.actions`."""
