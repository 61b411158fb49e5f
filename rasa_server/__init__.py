"""What Lotse adds to the Rasa server: its launcher (`python -m rasa_server.serve`), the
adapter's channel, the tracker and lock stores for several replicas, and the patches of Rasa
itself (installed in one place, `patches.install_patches`, by the launcher)."""
