"""Self-healing: a scheduled pass in each region that converges that region's own part.

observe.py what exists in this region: images, objects, records (one listing each)
plan.py    the next step for each replication, as this region sees it (pure)
run.py     the pass: observe, plan, dispatch each planned action to its step, in isolation
request.py the payload that asks for a pass
"""
