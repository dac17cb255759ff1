"""Key Management: vaults and their keys (see service.py)."""
