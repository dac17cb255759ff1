"""Logging: a service of the fake (see service.py)."""
