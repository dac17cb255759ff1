# Plans one region root with README's example values, the providers mocked:
# `terraform -chdir=infra/region test` (needs the oracle/oci provider installed). A mocked
# provider leaves every computed attribute unknown during a plan, as a fresh workspace does:
# no schedule, function or bucket exists yet, and the plan must still be made.

mock_provider "oci" {
  # A mock lists no services unless told: the region's "All <region> Services" entry, as OCI lists it.
  mock_data "oci_core_services" {
    defaults = {
      services = [{
        id         = "ocid1.service.oc1.phx.aaaaaaaaexample"
        name       = "All PHX Services In Oracle Services Network"
        cidr_block = "all-phx-services-in-oracle-services-network"
      }]
    }
  }
}

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

run "a_fresh_workspace_with_five_regions_and_peers" {
  command = plan
  variables {
    regions = ["us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1", "uk-london-1", "ap-tokyo-1"]
    function_images = {
      "us-ashburn-1"   = "iad.ocir.io/acmecorp/image-replicator:0.1.0"
      "us-phoenix-1"   = "phx.ocir.io/acmecorp/image-replicator:0.1.0"
      "eu-frankfurt-1" = "fra.ocir.io/acmecorp/image-replicator:0.1.0"
      "uk-london-1"    = "lhr.ocir.io/acmecorp/image-replicator:0.1.0"
      "ap-tokyo-1"     = "nrt.ocir.io/acmecorp/image-replicator:0.1.0"
    }
    peers = {
      dr = {
        tenancy_ocid       = "ocid1.tenancy.oc1..aaaaaaaadr"
        namespace          = "drnamespace"
        dynamic_group_ocid = "ocid1.dynamicgroup.oc1..aaaaaaaadr"
        regions            = ["us-phoenix-1"]
        role               = "target"
      }
    }
    peer_signing_keys = { dr = "a-shared-key-of-at-least-32-characters" }
  }
  assert {
    condition     = keys(oci_identity_policy.region) == ["image-replicator-reconcile-us-phoenix-1"]
    error_message = "the region's policy is named before its schedule exists"
  }
}
