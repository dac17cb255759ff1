"""The Monitoring alarms on the replication metrics, shipped as package data of the operator tools."""
