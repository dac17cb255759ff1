# Plans the home root with README's example values and with three and five regions, the
# provider mocked: `terraform -chdir=infra/home test` (needs the oracle/oci provider installed).

mock_provider "oci" {}

variables {
  tenancy_ocid               = "ocid1.tenancy.oc1..aaaaaaaaexample"
  home_region                = "us-ashburn-1"
  regions                    = ["us-ashburn-1", "us-phoenix-1"]
  functions_compartment_ocid = "ocid1.compartment.oc1..aaaaaaaafunctions"
  buckets_compartment_ocid   = "ocid1.compartment.oc1..aaaaaaaabuckets"
  images_compartment_ocids   = ["ocid1.compartment.oc1..aaaaaaaaimages"]
  signing_key                = "an-example-key-of-at-least-32-characters"
}

run "two_regions" {
  command = plan
  assert {
    condition     = length(oci_identity_policy.this) == 2
    error_message = "the replicator's policy and Object Storage's"
  }
  assert {
    condition     = length([for s in local.policies["image-replicator-object-storage"].statements : s if strcontains(s, "object-family")]) == 2
    error_message = "Object Storage may copy in each of the two regions"
  }
}

run "five_regions" {
  command = plan
  variables {
    regions = ["us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1", "uk-london-1", "ap-tokyo-1"]
  }
  assert {
    condition     = length([for s in local.policies["image-replicator-object-storage"].statements : s if strcontains(s, "object-family")]) == 5
    error_message = "Object Storage may copy in each of the five regions"
  }
}
