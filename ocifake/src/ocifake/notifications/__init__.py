"""OCI Notifications (ONS) data plane: topics and published messages."""
