# One provider per region: Terraform cannot loop over providers, so each participating
# region has an alias and a module block. To add a region, copy one pair.

provider "oci" {
  alias  = "home"
  region = var.home_region
}

provider "oci" {
  alias  = "region_a"
  region = var.regions[0]
}

provider "oci" {
  alias  = "region_b"
  region = var.regions[1]
}

provider "oci" {
  alias  = "region_c"
  region = var.regions[2]
}

locals {
  # The function's configuration: the same IR_* keys func.yaml lists with their defaults.
  function_config = {
    IR_STAGING_BUCKET              = var.staging_bucket
    IR_LANDING_BUCKET              = var.landing_bucket
    IR_OBJECT_PREFIX               = var.object_prefix
    IR_DEFAULT_REGIONS             = join(",", var.default_regions)
    IR_ALLOWED_REGIONS             = join(",", var.allowed_regions)
    IR_OPT_IN_DEFINED_TAG          = var.opt_in_defined_tag
    IR_TARGET_COMPARTMENT_ID       = coalesce(var.target_compartment_ocid, "")
    IR_COMPARTMENTS                = join(",", var.images_compartment_ocids)
    IR_ON_SOURCE_DELETED           = var.on_source_deleted
    IR_DELETE_INTERMEDIATE_OBJECTS = "true"
    IR_METRICS_NAMESPACE           = var.metrics_namespace
    IR_METRICS_COMPARTMENT_ID      = local.metrics_compartment_ocid
  }
  metrics_compartment_ocid = coalesce(var.metrics_compartment_ocid, var.functions_compartment_ocid)
  events_compartment_ocid = coalesce(var.events_compartment_ocid, var.tenancy_ocid)
  image_compartment_ids   = distinct(concat(var.images_compartment_ocids, var.target_compartment_ocid == null ? [] : [var.target_compartment_ocid]))
  region_settings = {
    staging_bucket              = var.staging_bucket
    landing_bucket              = var.landing_bucket
    object_prefix               = var.object_prefix
    intermediate_retention_days = var.intermediate_retention_days
    reconcile_schedule          = var.reconcile_schedule
    memory_mb                   = var.function_memory_mb
    log_retention_days          = var.log_retention_days
    notification_email          = var.notification_email
    metrics_namespace           = var.metrics_namespace
    metrics_compartment_id      = local.metrics_compartment_ocid
    rpo_hours                   = var.rpo_hours
    alarm_window                = var.alarm_window
  }
}

module "region_a" {
  source                   = "./modules/region"
  providers                = { oci = oci.region_a }
  region                   = var.regions[0]
  functions_compartment_id = var.functions_compartment_ocid
  events_compartment_id    = local.events_compartment_ocid
  image_compartment_ids    = local.image_compartment_ids
  buckets_compartment_id   = var.buckets_compartment_ocid
  create_network           = var.create_network
  vcn_cidr                 = lookup(var.vcn_cidrs, var.regions[0], "10.70.0.0/16")
  subnet_id                = lookup(var.subnet_ids, var.regions[0], null)
  function_image           = var.function_images[var.regions[0]]
  kms_key_id               = lookup(var.kms_key_ids, var.regions[0], null)
  function_config          = local.function_config
  settings                 = local.region_settings
  # Copies into the buckets and their lifecycle rules need Object Storage's own permission first.
  depends_on = [oci_identity_policy.object_storage_service]
}

module "region_b" {
  source                   = "./modules/region"
  providers                = { oci = oci.region_b }
  region                   = var.regions[1]
  functions_compartment_id = var.functions_compartment_ocid
  events_compartment_id    = local.events_compartment_ocid
  image_compartment_ids    = local.image_compartment_ids
  buckets_compartment_id   = var.buckets_compartment_ocid
  create_network           = var.create_network
  vcn_cidr                 = lookup(var.vcn_cidrs, var.regions[1], "10.71.0.0/16")
  subnet_id                = lookup(var.subnet_ids, var.regions[1], null)
  function_image           = var.function_images[var.regions[1]]
  kms_key_id               = lookup(var.kms_key_ids, var.regions[1], null)
  function_config          = local.function_config
  settings                 = local.region_settings
  # Copies into the buckets and their lifecycle rules need Object Storage's own permission first.
  depends_on = [oci_identity_policy.object_storage_service]
}

module "region_c" {
  source                   = "./modules/region"
  providers                = { oci = oci.region_c }
  region                   = var.regions[2]
  functions_compartment_id = var.functions_compartment_ocid
  events_compartment_id    = local.events_compartment_ocid
  image_compartment_ids    = local.image_compartment_ids
  buckets_compartment_id   = var.buckets_compartment_ocid
  create_network           = var.create_network
  vcn_cidr                 = lookup(var.vcn_cidrs, var.regions[2], "10.72.0.0/16")
  subnet_id                = lookup(var.subnet_ids, var.regions[2], null)
  function_image           = var.function_images[var.regions[2]]
  kms_key_id               = lookup(var.kms_key_ids, var.regions[2], null)
  function_config          = local.function_config
  settings                 = local.region_settings
  # Copies into the buckets and their lifecycle rules need Object Storage's own permission first.
  depends_on = [oci_identity_policy.object_storage_service]
}
