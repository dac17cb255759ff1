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
    IR_NOTIFICATION_TOPIC_ID       = var.notification_topic_ocid
    IR_DELETE_INTERMEDIATE_OBJECTS = "true"
  }
  region_settings = {
    staging_bucket              = var.staging_bucket
    landing_bucket              = var.landing_bucket
    object_prefix               = var.object_prefix
    intermediate_retention_days = var.intermediate_retention_days
    reconcile_schedule          = var.reconcile_schedule
    memory_mb                   = var.function_memory_mb
  }
}

module "region_a" {
  source                   = "./modules/region"
  providers                = { oci = oci.region_a }
  region                   = var.regions[0]
  functions_compartment_id = var.functions_compartment_ocid
  buckets_compartment_id   = var.buckets_compartment_ocid
  subnet_id                = var.subnet_ids[var.regions[0]]
  function_image           = var.function_images[var.regions[0]]
  kms_key_id               = lookup(var.kms_key_ids, var.regions[0], null)
  function_config          = local.function_config
  settings                 = local.region_settings
}

module "region_b" {
  source                   = "./modules/region"
  providers                = { oci = oci.region_b }
  region                   = var.regions[1]
  functions_compartment_id = var.functions_compartment_ocid
  buckets_compartment_id   = var.buckets_compartment_ocid
  subnet_id                = var.subnet_ids[var.regions[1]]
  function_image           = var.function_images[var.regions[1]]
  kms_key_id               = lookup(var.kms_key_ids, var.regions[1], null)
  function_config          = local.function_config
  settings                 = local.region_settings
}

module "region_c" {
  source                   = "./modules/region"
  providers                = { oci = oci.region_c }
  region                   = var.regions[2]
  functions_compartment_id = var.functions_compartment_ocid
  buckets_compartment_id   = var.buckets_compartment_ocid
  subnet_id                = var.subnet_ids[var.regions[2]]
  function_image           = var.function_images[var.regions[2]]
  kms_key_id               = lookup(var.kms_key_ids, var.regions[2], null)
  function_config          = local.function_config
  settings                 = local.region_settings
}
