"""A deterministic simulator of the whole replicator: seeded worlds, random scripts, invariants.

From one seed it builds a world on ocifake (regions, containers per region, retention, the
replicator deployed as Terraform deploys it) and a script of actions by users, the cloud,
operators and an adversary (`actions.py`). After each action the fake runs until nothing is
pending, and the invariants (`invariants.py`) are checked through what an operator sees: the
protection report's own code, the cloud's images and objects. A run that breaks one shrinks to
a short script that still breaks it (`shrink.py`), printed with its seed so that it can be
replayed and kept as a regression test. `python -m sim --runs N` runs many seeds in parallel.
"""
