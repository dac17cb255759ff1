"""Region names the fake's tests use: three real OCI regions in one fake tenancy."""

SOURCE, PHOENIX, FRANKFURT = "us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1"
REGIONS = [SOURCE, PHOENIX, FRANKFURT]
