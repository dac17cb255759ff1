# One participating region, applied once per region of var.regions, each with its own state
# (a workspace named after the region): the buckets, the function, its Events rules, the
# reconcile schedule, logs, the topic and the alarms (modules/region), and the policy that lets
# this region's schedule invoke its function. Apply home/ first: the buckets need Object
# Storage's policy before their lifecycle rules can be created.

provider "oci" {
  region = var.region
}

# IAM lives in the home region: the schedule's policy is created there.
provider "oci" {
  alias  = "home"
  region = var.home_region
}

# The drill compartment the home root made (drills_enabled without drill_compartment_ocid), by its name.
data "oci_identity_compartments" "drills" {
  count          = var.drills_enabled && var.drill_compartment_ocid == null ? 1 : 0
  compartment_id = var.functions_compartment_ocid
  name           = "image-replicator-drills"
  state          = "ACTIVE"
}

locals {
  drill_compartment_ocid   = var.drill_compartment_ocid != null ? var.drill_compartment_ocid : (var.drills_enabled ? data.oci_identity_compartments.drills[0].compartments[0].id : null)
  metrics_compartment_ocid = var.metrics_compartment_ocid == null ? var.functions_compartment_ocid : var.metrics_compartment_ocid
  events_compartment_ocid  = var.events_compartment_ocid == null ? var.tenancy_ocid : var.events_compartment_ocid
  image_compartment_ids    = distinct(concat(var.images_compartment_ocids, var.target_compartment_ocid == null ? [] : [var.target_compartment_ocid]))
  # Regions of other tenancies this one replicates to, as a source tags them: <alias>:<region>.
  peer_targets = flatten([for alias, peer in var.peers : [for r in peer.regions : "${alias}:${r}"] if peer.role != "source"])
  # The function's configuration: the same IR_* keys func.yaml lists with their defaults.
  function_config = {
    IR_STAGING_BUCKET              = var.staging_bucket
    IR_LANDING_BUCKET              = var.landing_bucket
    IR_OBJECT_PREFIX               = var.object_prefix
    IR_DEFAULT_REGIONS             = join(",", var.default_regions)
    IR_ALLOWED_REGIONS             = join(",", length(var.allowed_regions) == 0 ? concat(var.regions, local.peer_targets) : var.allowed_regions)
    IR_OPT_IN_DEFINED_TAG          = var.opt_in_defined_tag
    IR_TARGET_COMPARTMENT_ID       = var.target_compartment_ocid == null ? "" : var.target_compartment_ocid
    IR_COMPARTMENTS                = join(",", var.images_compartment_ocids)
    IR_ON_SOURCE_DELETED           = var.on_source_deleted
    IR_RETENTION                   = var.retention ? "true" : "false"
    IR_KEEP_VERSIONS               = var.keep_versions == null ? "" : tostring(var.keep_versions)
    IR_MIN_AGE_HOURS               = tostring(var.min_age_hours)
    IR_IMAGE_LIMIT                 = tostring(var.image_limit)
    IR_DELETE_INTERMEDIATE_OBJECTS = "true"
    IR_TRANSFER                    = var.transfer
    IR_METRICS_NAMESPACE           = var.metrics_namespace
    IR_METRICS_COMPARTMENT_ID      = local.metrics_compartment_ocid
    IR_TENANCIES                   = join(",", [for alias, peer in var.peers : "${alias}=${peer.tenancy_ocid}@${peer.namespace}" if peer.role != "source"])
    IR_SOURCE_TENANCIES            = join(",", [for alias, peer in var.peers : "${alias}=${peer.tenancy_ocid}@${peer.namespace}" if peer.role != "target"])
    IR_DRILL_EVERY_DAYS            = tostring(var.drills.every_days)
    IR_DRILL_NEW_REPLICAS          = var.drills.new_replicas ? "true" : "false"
    IR_DRILL_CONCURRENCY           = tostring(var.drills.concurrency)
    IR_DRILL_SHAPE                 = var.drills.shape
    IR_DRILL_EXPECT                = var.drills.expect
    IR_DRILL_BOOT_MINUTES          = tostring(var.drills.boot_minutes)
    IR_DRILL_TIMEOUT_MINUTES       = tostring(var.drills.timeout_minutes)
  }
  settings = {
    staging_bucket              = var.staging_bucket
    landing_bucket              = var.landing_bucket
    object_prefix               = var.object_prefix
    intermediate_retention_days = var.intermediate_retention_days
    reconcile_schedule          = var.reconcile_schedule
    drill_schedule              = var.drills.schedule
    memory_mb                   = var.function_memory_mb
    log_retention_days          = var.log_retention_days
    notification_email          = var.notification_email
    metrics_namespace           = var.metrics_namespace
    metrics_compartment_id      = local.metrics_compartment_ocid
    rpo_hours                   = var.rpo_hours
    alarm_window                = var.alarm_window
  }
  default_cidr = "10.${70 + index(var.regions, var.region)}.0.0/16"
}

module "region" {
  source                   = "../modules/region"
  region                   = var.region
  functions_compartment_id = var.functions_compartment_ocid
  events_compartment_id    = local.events_compartment_ocid
  image_compartment_ids    = local.image_compartment_ids
  buckets_compartment_id   = var.buckets_compartment_ocid
  create_network           = var.create_network
  vcn_cidr                 = lookup(var.vcn_cidrs, var.region, local.default_cidr)
  subnet_id                = lookup(var.subnet_ids, var.region, null)
  function_image           = var.function_images[var.region]
  kms_key_id               = lookup(var.kms_key_ids, var.region, null)
  signing_key              = var.signing_key
  peer_aliases             = sort(keys(var.peers))
  peer_signing_keys        = var.peer_signing_keys
  vault_id                 = lookup(var.vault_ids, var.region, null)
  vault_key_id             = lookup(var.vault_key_ids, var.region, null)
  drill_compartment_id     = local.drill_compartment_ocid
  drill_subnet_id          = lookup(var.drill_subnet_ids, var.region, null)
  function_config          = local.function_config
  settings                 = local.settings
}

locals {
  # The schedule's OCID exists only after apply, and a for_each needs its keys at plan time: the
  # template is rendered with a placeholder, so the policies' names are known on a fresh
  # workspace, and the OCID goes into the statements' text, which may stay unknown until apply.
  schedule_placeholder       = "{schedule_id}"
  drill_schedule_placeholder = "{drill_schedule_id}"
  iam = jsondecode(templatefile("${path.module}/../../iam/policies.json", {
    dynamic_group            = var.dynamic_group_name
    functions_compartment_id = var.functions_compartment_ocid
    buckets_compartment_id   = var.buckets_compartment_ocid
    metrics_compartment_id   = local.metrics_compartment_ocid
    metrics_namespace        = var.metrics_namespace
    staging_bucket           = var.staging_bucket
    landing_bucket           = var.landing_bucket
    region_name              = var.region
    schedule_id              = local.schedule_placeholder
  }))
  policies = { for p in local.iam.policies : p.name => p if p.scope == "region" }
  # The drill tick's statement only where drills are on.
  statements = {
    for name, p in local.policies : name => [
      for s in p.statements : replace(replace(s.statement, local.schedule_placeholder, module.region.schedule_id), local.drill_schedule_placeholder, coalesce(module.region.drill_schedule_id, "none"))
      if try(s.each, "once") != "drill_schedule" || local.drill_compartment_ocid != null
    ]
  }
}

resource "oci_identity_policy" "region" {
  for_each       = local.policies
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = each.key
  description    = each.value.description
  statements     = local.statements[each.key]
}

check "a_subnet" {
  assert {
    condition     = var.create_network || contains(keys(var.subnet_ids), var.region)
    error_message = "Give subnet_ids for this region, or set create_network = true."
  }
}
