"""Self-healing: a periodic pass that converges every replication, even when events are lost.

plan.py    what to do next for one source image and one target region (pure)
observe.py what exists: images, objects, replicas, records (one listing per bucket and region)
drive.py   doing it, through the same stage code the events use; cleanup; source deletion
"""
