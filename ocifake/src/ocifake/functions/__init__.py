"""Serving functions the way OCI Functions does: the real fdk, in its own process."""
