"""What several test modules share: talking to the fake Bot API, writing entries, Rasa's channel."""
