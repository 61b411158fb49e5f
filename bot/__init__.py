"""Lotse's channels: how newcomers reach the assistant (a terminal chat for trying it
locally; the Telegram adapter follows). Talks to Rasa over HTTP only."""
