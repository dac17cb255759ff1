"""OCI Functions entry file: `fdk /function/functions/func.py handler`.

Only the function's own process loads the SDK lazily; nothing else that imports the
package (the operator tools, the tests) is affected.
"""

from replicator.gateways import sdk

sdk.install()

from replicator.handler import handler  # noqa: E402  (after the loader, by design)

__all__ = ["handler"]
