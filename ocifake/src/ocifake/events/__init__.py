"""OCI Events: rules with OCI's condition semantics, CloudEvents 0.1 envelopes, delivery."""
