"""Vault secrets: what a function reads from its own region's secrets endpoint."""
