# ----- the staging and landing buckets ------------------------------------------------------------

locals {
  buckets = {
    staging = var.settings.staging_bucket
    landing = var.settings.landing_bucket
  }
}

data "oci_objectstorage_namespace" "this" {
  compartment_id = var.buckets_compartment_id
}

resource "oci_objectstorage_bucket" "this" {
  # checkov:skip=CKV_OCI_8: versioning would keep every deleted multi-gigabyte export as a previous version; these buckets hold only transient copies and the records, which are rewritten with etag conditions
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
      # Exported images and manifests only: records and answers are kept for people to read.
      inclusion_prefixes = ["${var.settings.object_prefix}images/", "${var.settings.object_prefix}manifests/"]
    }
  }
}
