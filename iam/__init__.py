"""The IAM statements the replicator needs (policies.json), shipped as package data of the operator tools."""
