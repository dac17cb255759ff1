"""Thin wrappers around the oci SDK: the only code that imports it or catches its errors.

Each gateway is bound to one region: a function's runtime holds the gateways of its own
region only, so nothing in the pipeline can call another region's endpoints. The SDK is
loaded part by part on first use (see sdk.py) before anything here imports it.
"""

import logging

from . import sdk

# The fdk sets the root logger to DEBUG; the SDK would then write several lines per call
# (and some as its modules load) to the function's log, around our one JSON line per call.
logging.getLogger("oci").setLevel(logging.WARNING)
sdk.install()
