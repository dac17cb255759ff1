"""The steps of a replication, each run by an event and by the reconcile pass alike.

In the source region:
  export.py       an image became AVAILABLE (or opted in later)  -> export it to staging
  distribute.py   its export ended         -> check the object, write the manifest, copy both to every target
  acknowledge.py  a target's answer landed -> record it; once all answered, clean up and notify
  refresh.py      the image's tags or shapes changed -> a new manifest version to every target
  tombstone.py    the image was deleted    -> a deletion manifest to every target
  check_copy.py   (reconcile) a copy that should have landed by now -> read its work request once

In a target region:
  landed.py       an image object or a manifest landed -> import once both are there,
                  or apply a newer manifest to the finished replica
  finish.py       the replica's import ended -> shapes, tags, cleanup, answer the source
  answer.py       (shared) the answer to the source: this region's record, copied there

Both:
  cleanup.py      (reconcile) leftovers of finished or abandoned replications
  engine.py       how a step claims, acts, and has its record change applied once
"""
