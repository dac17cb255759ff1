"""Object Storage: namespace, buckets, objects, pre-authenticated requests, cross-region copy."""
