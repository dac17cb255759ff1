"""Operator tools for oci-image-replicator: the `image-replicator` command, its demo, and the
replicator deployed on ocifake (the sandbox the demo, the tests and the benchmarks use)."""
