"""Plumbing shared by every fake service: errors, clock, auth, request dispatch."""
