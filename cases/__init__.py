"""Hand-over cases: a newcomer handed to an advisor, the messages mirrored between them,
the advisors and the Telegram updates already processed. Plain functions over a SQLAlchemy
store (the one knowledge/ uses, migrated by the same Alembic history); knows nothing about
Telegram's API or Rasa."""
