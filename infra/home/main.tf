# The tenancy-wide part, applied once in the home region before any region root: the
# dynamic group of the replicator's functions, their policy, and Object Storage's own
# policy (the buckets' lifecycle rules and copies need it before the buckets are used), and
# what this tenancy grants each other tenancy of var.peers (which grants the same in return).
# Every statement comes from iam/policies.json, the file the local sandbox renders too.

provider "oci" {
  region = var.home_region
}

# Where DR drills launch replicas, when drills are on and no compartment is given: the functions
# may manage every instance in it, so it holds drills alone. The region roots find it by name.
resource "oci_identity_compartment" "drills" {
  count          = var.drills_enabled && var.drill_compartment_ocid == null ? 1 : 0
  compartment_id = var.functions_compartment_ocid
  name           = "image-replicator-drills"
  enable_delete  = true
}

locals {
  drill_compartment_ocid   = var.drill_compartment_ocid != null ? var.drill_compartment_ocid : (var.drills_enabled ? oci_identity_compartment.drills[0].id : null)
  metrics_compartment_ocid = var.metrics_compartment_ocid == null ? var.functions_compartment_ocid : var.metrics_compartment_ocid
  image_compartment_ids    = distinct(concat(var.images_compartment_ocids, var.target_compartment_ocid == null ? [] : [var.target_compartment_ocid]))

  iam = jsondecode(templatefile("${path.module}/../../iam/policies.json", {
    dynamic_group            = var.dynamic_group_name
    functions_compartment_id = var.functions_compartment_ocid
    buckets_compartment_id   = var.buckets_compartment_ocid
    metrics_compartment_id   = local.metrics_compartment_ocid
    metrics_namespace        = var.metrics_namespace
    staging_bucket           = var.staging_bucket
    landing_bucket           = var.landing_bucket
    region_name              = ""
    schedule_id              = ""
  }))
  # What a statement's "each" repeats it over, and what its "when" switches on.
  items = {
    once              = [{ region = "", compartment = "", key_id = "" }]
    region            = [for r in var.regions : { region = r, compartment = "", key_id = "" }]
    image_compartment = [for c in local.image_compartment_ids : { region = "", compartment = c, key_id = "" }]
    kms_key           = [for r, k in var.kms_key_ids : { region = r, compartment = "", key_id = k }]
    drill_compartment = local.drill_compartment_ocid == null ? [] : [{ region = "", compartment = local.drill_compartment_ocid, key_id = "" }]
  }
  switches = { replicas_deleted = var.on_source_deleted == "delete" || var.retention ? "yes" : "no" }
  # The peer policy, once per other tenancy: its placeholders are the peer's.
  peer_values = {
    for alias, peer in var.peers : alias => { region = "", compartment = "", key_id = "", peer = alias, peer_tenancy_id = peer.tenancy_ocid, peer_dynamic_group_id = peer.dynamic_group_ocid }
  }
  peer_items = {
    for alias, peer in var.peers : alias => {
      once        = [local.peer_values[alias]]
      peer        = [local.peer_values[alias]]
      peer_region = [for r in peer.regions : merge(local.peer_values[alias], { region = r })]
    }
  }
  peer_policies = merge([
    for p in local.iam.policies : {
      for alias, items in local.peer_items : replace(p.name, "{peer}", alias) => {
        description = replace(p.description, "{peer}", alias)
        statements = flatten([
          for s in p.statements : [
            for item in items[try(s.each, "once")] :
            replace(replace(replace(replace(replace(replace(s.statement, "{region}", item.region), "{compartment}", item.compartment), "{key_id}", item.key_id), "{peer_tenancy_id}", item.peer_tenancy_id), "{peer_dynamic_group_id}", item.peer_dynamic_group_id), "{peer}", item.peer)
          ] if alltrue([for k, v in try(s.when, {}) : local.switches[k] == v])
        ])
      }
    } if p.scope == "peer"
  ]...)
  policies = {
    for p in local.iam.policies : p.name => {
      description = p.description
      statements = flatten([
        for s in p.statements : [
          for item in local.items[try(s.each, "once")] :
          replace(replace(replace(s.statement, "{region}", item.region), "{compartment}", item.compartment), "{key_id}", item.key_id)
        ] if alltrue([for k, v in try(s.when, {}) : local.switches[k] == v])
      ])
    } if p.scope == "home"
  }
}

resource "oci_identity_dynamic_group" "replicator" {
  compartment_id = var.tenancy_ocid
  name           = local.iam.dynamicGroup.name
  description    = local.iam.dynamicGroup.description
  matching_rule  = local.iam.dynamicGroup.matchingRule
}

resource "oci_identity_policy" "this" {
  for_each       = merge(local.policies, local.peer_policies)
  compartment_id = var.tenancy_ocid
  name           = each.key
  description    = each.value.description
  statements     = each.value.statements
  depends_on     = [oci_identity_dynamic_group.replicator]
}
