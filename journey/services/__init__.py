"""Use cases. They talk to storage, mail and templates only through the ports in ``ports.py``."""
