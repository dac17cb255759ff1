"""Thin wrappers around the oci SDK: the only code that imports it or catches its errors.

Each gateway is bound to one region: a function's runtime holds the gateways of its own
region only, so nothing in the pipeline can call another region's endpoints. Importing this
package changes nothing outside it: the function's entry file (func.py) alone installs the
lazy SDK loader (sdk.py), so that the operator tools and tests import `oci` as usual.
"""

import logging

# The fdk sets the root logger to DEBUG; the SDK would then write several lines per call
# (and some as its modules load) to the function's log, around our one JSON line per call.
logging.getLogger("oci").setLevel(logging.WARNING)
