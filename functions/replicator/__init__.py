"""oci-image-replicator: event-driven replication of custom compute images across OCI regions."""
