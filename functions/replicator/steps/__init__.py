"""The steps of a replication, each run by an event and by the reconcile pass alike.

Each module declares its step (`STEP`, or one per side) next to its code: the events it
handles and the pass's action that runs it; `registry.py` gathers them. Nothing else lives
here: how a step runs is `engine.py`, what steps share sits beside it.

In the source region:
  export.py       an image became AVAILABLE (or opted in later)  -> export it to staging
  distribute.py   its export ended         -> check the object, write the manifest, copy both to every target
  check_copy.py   (pass) a copy that should have landed by now -> read its work request once
  deadline.py     (pass) a target silent past IR_TARGET_DEADLINE_HOURS -> give it up, once
  acknowledge.py  a target's answer landed -> record it; once all answered, clean up and notify
  inbox.py        another tenancy's answer landed in the landing bucket -> move it to staging
  settle.py       (pass) every target answered but the export's end was never recorded
  refresh.py      the image's tags or shapes changed -> a new manifest version to every target
  tombstone.py    the image was deleted    -> a deletion manifest to every target

In a target region:
  landed.py       an image object or a manifest landed -> import once both are there,
                  or apply a newer manifest to the finished replica
  finish.py       the replica's import ended (or its source is gone) -> shapes, tags, cleanup, answer
  lost.py         one of our replicas was deleted -> tell the source
  family.py       a family's latest mark and retention -> retire.py deletes each version it drops
  drill.py        (pass) a DR drill: launch the replica, read its console, terminate it
  answer.py       the answer to the source (a copy of this region's record), sent again when unconfirmed

Both:
  cleanup.py      (pass) leftovers of finished or abandoned replications
  repair.py       (pass) a damaged record rebuilt from what is observed
  retry.py        (operator) a region's attempts counted afresh
"""
