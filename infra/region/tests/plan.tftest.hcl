# Plans one region root with README's example values, the providers mocked:
# `terraform -chdir=infra/region test` (needs the oracle/oci provider installed).

mock_provider "oci" {}

mock_provider "oci" {
  alias = "home"
}

variables {
  tenancy_ocid               = "ocid1.tenancy.oc1..aaaaaaaaexample"
  home_region                = "us-ashburn-1"
  regions                    = ["us-ashburn-1", "us-phoenix-1"]
  region                     = "us-phoenix-1"
  functions_compartment_ocid = "ocid1.compartment.oc1..aaaaaaaafunctions"
  buckets_compartment_ocid   = "ocid1.compartment.oc1..aaaaaaaabuckets"
  images_compartment_ocids   = ["ocid1.compartment.oc1..aaaaaaaaimages"]
  default_regions            = ["us-phoenix-1"]
  create_network             = true
  signing_key                = "an-example-key-of-at-least-32-characters"
  function_images = {
    "us-ashburn-1" = "iad.ocir.io/acmecorp/image-replicator:0.1.0"
    "us-phoenix-1" = "phx.ocir.io/acmecorp/image-replicator:0.1.0"
  }
}

run "example_values" {
  command = plan
  assert {
    condition     = local.function_config.IR_TARGET_COMPARTMENT_ID == ""
    error_message = "an unset target compartment is an empty setting, not a plan error"
  }
  assert {
    condition     = length(oci_identity_policy.region) == 1
    error_message = "the region's schedule may invoke its function"
  }
}
