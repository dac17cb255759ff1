"""Replication metrics for OCI Monitoring: what is measured, from what, and how it is sent."""
