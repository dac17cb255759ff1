# Everything the replicator needs in one region: two private buckets, the function, the
# Events rules read from events/rules/, and the schedule of the reconcile pass.

locals {
  rules_dir = "${path.module}/../../../events/rules"
  # The same files the router and the tests read; ${landing_bucket} and ${object_prefix}
  # are filled in here exactly as the local sandbox fills them in.
  rules = {
    for file in fileset(local.rules_dir, "*.json") :
    trimsuffix(file, ".json") => jsondecode(templatefile("${local.rules_dir}/${file}", {
      landing_bucket = var.settings.landing_bucket
      object_prefix  = var.settings.object_prefix
    }))
  }
  buckets = {
    staging = var.settings.staging_bucket
    landing = var.settings.landing_bucket
  }
}

data "oci_objectstorage_namespace" "this" {
  compartment_id = var.buckets_compartment_id
}

resource "oci_objectstorage_bucket" "this" {
  # checkov:skip=CKV_OCI_8: versioning would keep every deleted multi-gigabyte export as a previous version; these buckets hold only transient copies and the status records, which are rewritten with etag conditions
  # checkov:skip=CKV_OCI_9: encryption uses Oracle-managed keys unless kms_key_ids names a Vault key for the region
  for_each              = local.buckets
  compartment_id        = var.buckets_compartment_id
  namespace             = data.oci_objectstorage_namespace.this.namespace
  name                  = each.value
  access_type           = "NoPublicAccess"
  object_events_enabled = true
  versioning            = "Disabled"
  storage_tier          = "Standard"
  kms_key_id            = var.kms_key_id
  freeform_tags         = { "managed-by" = "image-replicator" }
}

resource "oci_objectstorage_object_lifecycle_policy" "this" {
  for_each  = local.buckets
  namespace = data.oci_objectstorage_namespace.this.namespace
  bucket    = oci_objectstorage_bucket.this[each.key].name

  rules {
    name        = "expire-intermediate-objects"
    action      = "DELETE"
    target      = "objects"
    time_amount = var.settings.intermediate_retention_days
    time_unit   = "DAYS"
    is_enabled  = true
    object_name_filter {
      # Exported images and manifests only: status records are kept for people to read.
      inclusion_prefixes = ["${var.settings.object_prefix}images/", "${var.settings.object_prefix}manifests/"]
    }
  }
}

resource "oci_functions_application" "this" {
  compartment_id = var.functions_compartment_id
  display_name   = "image-replicator"
  subnet_ids     = [var.subnet_id]
  shape          = "GENERIC_X86"
  freeform_tags  = { "managed-by" = "image-replicator" }
}

resource "oci_functions_function" "this" {
  application_id     = oci_functions_application.this.id
  display_name       = "image-replicator"
  image              = var.function_image
  memory_in_mbs      = var.settings.memory_mb
  timeout_in_seconds = 300
  config             = var.function_config
  freeform_tags      = { "managed-by" = "image-replicator" }
}

resource "oci_events_rule" "this" {
  for_each       = local.rules
  compartment_id = var.functions_compartment_id
  display_name   = each.value.displayName
  description    = each.value.description
  condition      = jsonencode(each.value.condition)
  is_enabled     = true

  actions {
    actions {
      action_type = "FAAS"
      is_enabled  = true
      function_id = oci_functions_function.this.id
      description = "image-replicator ${each.key}"
    }
  }
}

# The reconcile pass: Resource Scheduler invokes the function with {"action": "reconcile"}.
resource "oci_resource_scheduler_schedule" "reconcile" {
  compartment_id     = var.functions_compartment_id
  display_name       = "image-replicator-reconcile-${var.region}"
  description        = "Converges every image replication whose source is in ${var.region}, even when events were lost."
  action             = "START_RESOURCE"
  recurrence_type    = "ICAL"
  recurrence_details = var.settings.reconcile_schedule

  resources {
    id = oci_functions_function.this.id
    parameters {
      parameter_type = "BODY"
      value          = jsonencode({ action = "reconcile" })
    }
  }
}
