"""Adapters: thin mappings of engines onto the protocol in :mod:`.protocol`."""
