"""Compute instances and their console histories: a service of the fake (see service.py)."""
