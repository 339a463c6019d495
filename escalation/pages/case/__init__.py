"""The case page and its step actions."""
