"""What each region knows of its own part of a replication, kept as a small JSON object.

source.py   the source region's part: the export, each target's copy and answer
replica.py  a target region's part: the landing, the import, the finish, its answer
store.py    reading (tolerant of damage) and compare-and-swap writing

A record is a cache of what the cloud says; it carries a schema version, and one that
cannot be read is rebuilt from what is observed (see reconcile/observe.py).
"""
