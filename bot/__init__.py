"""The Telegram adapter between newcomers, advisors and Rasa (`python -m bot`); see README.md."""
