"""The Events rules and sample payloads, shipped as package data of the operator tools."""
