"""OCI Functions entry file: `fdk /function/functions/func.py handler`."""

from replicator.handler import handler

__all__ = ["handler"]
