"""Lotse's knowledge base of local services: entries kept as YAML by coordinators,
checked before anything is loaded. Knows nothing about Telegram or Rasa."""
