"""Thin wrappers around the oci SDK: the only place that catches `oci.exceptions.ServiceError`."""
