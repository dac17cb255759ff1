"""Thin wrappers around the oci SDK: the only code that imports it or catches its errors.

Each gateway is bound to one region: a function's runtime holds the gateways of its own
region only, so nothing in the pipeline can call another region's endpoints.
"""
