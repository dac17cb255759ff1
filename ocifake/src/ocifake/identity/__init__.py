"""IAM: compartments, dynamic groups and policies, and the decision on every request."""
