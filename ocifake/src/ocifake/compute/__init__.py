"""Compute images: lifecycle, export, import, shape compatibility, and their work requests."""
