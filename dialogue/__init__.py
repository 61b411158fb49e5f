"""What Lotse adds to Rasa Core, the dialogue manager, for running several Rasa replicas."""
