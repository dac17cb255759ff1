# What both roots read (infra/shared/variables.tf): given to every apply, home/ once and
# region/ once per region (README, Deploy). Copy it beside infra/ and fill it in.
tenancy_ocid               = "ocid1.tenancy.oc1..aaaaaaaaexample"
home_region                = "us-ashburn-1"
regions                    = ["us-ashburn-1", "us-phoenix-1"]
functions_compartment_ocid = "ocid1.compartment.oc1..aaaaaaaafunctions"
buckets_compartment_ocid   = "ocid1.compartment.oc1..aaaaaaaabuckets"
images_compartment_ocids   = ["ocid1.compartment.oc1..aaaaaaaaimages"]
# The key that signs what crosses regions: the same everywhere, e.g. from `openssl rand -base64 48`
# (or give it as TF_VAR_signing_key in the environment instead of writing it here).
signing_key = "replace-with-at-least-32-random-characters"
# rpo_hours = 4
# Disaster recovery into another tenancy that runs its own deployment (README, Another tenancy):
# targets there are tagged dr:<region>. That tenancy names this one with role = "source".
# peers = {
#   dr = {
#     tenancy_ocid       = "ocid1.tenancy.oc1..aaaaaaaadrtenancy"
#     namespace          = "acmedr"
#     dynamic_group_ocid = "ocid1.dynamicgroup.oc1..aaaaaaaadrfunctions"
#     regions            = ["us-phoenix-1", "eu-frankfurt-1"]
#     role               = "target"
#   }
# }
# peer_signing_keys = { dr = "the-same-32+-random-characters-in-both-tenancies" }
# DR drills (README, DR drills): the home root makes the drill compartment; each region's
# drills settings (region.tfvars) say how often.
# drills_enabled = true
