# What the region root alone reads (infra/region/variables.tf), given to each region's apply
# after common.tfvars, with -var region=<region>.
default_regions = ["us-phoenix-1"]
# A private subnet with a service gateway per region, made here (or give subnet_ids instead).
create_network = true
function_images = {
  "us-ashburn-1" = "iad.ocir.io/acmecorp/image-replicator:0.1.0"
  "us-phoenix-1" = "phx.ocir.io/acmecorp/image-replicator:0.1.0"
}
# Notices and alarms by email (each region's topic; the address confirms once per topic).
# notification_email = "platform-oncall@example.com"
# DR drills, with drills_enabled in common.tfvars: each replica launched weekly, its console
# expected to show a login prompt, then terminated.
# drills = { every_days = 7, expect = "login:" }
