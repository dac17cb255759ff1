"""What each region knows of its own part of a replication, kept as a small JSON object.

states.py   the four state machines (export, target, replica, import) as tables
machine.py  how a table moves a state, and refuses what it does not list
source.py   the source region's part: the export, each target's copy and answer
replica.py  a target region's part: the landing, the import, the finish, its answer
store.py    reading (tolerant of damage) and the one conditional update that writes
attempts.py when failed attempts give a stage up: enough of them, over long enough

A record is a cache of what the cloud says; it carries a schema version, and one that
cannot be read is rebuilt from what is observed (see rebuild.py).
"""
