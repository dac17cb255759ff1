"""OCI Monitoring: custom metrics posted through the ingestion endpoint, and alarms evaluated on them."""
