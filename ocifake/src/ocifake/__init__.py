"""ocifake: a stateful, multi-region local OCI that the real `oci` SDK talks to.

Like moto for AWS: state per region in one tenancy, OCI-shaped errors, a simulated clock
instead of sleeps, fault injection, and Events delivery to Python callables or to functions
served by the real fdk.
"""

from .cloud import ApiCall, Durations, FakeCloud, Options
from .mock import mock_cloud

__version__ = "0.1.0"  # the distribution's version (ocifake/pyproject.toml); a test keeps them equal
__all__ = ["ApiCall", "Durations", "FakeCloud", "Options", "__version__", "mock_cloud"]
