# ----- the function -----------------------------------------------------------------------------

resource "oci_functions_application" "this" {
  compartment_id = var.functions_compartment_id
  display_name   = "image-replicator"
  subnet_ids     = [local.subnet_id]
  shape          = "GENERIC_X86"
  freeform_tags  = { "managed-by" = "image-replicator" }
}

resource "oci_functions_function" "this" {
  application_id     = oci_functions_application.this.id
  display_name       = "image-replicator"
  image              = var.function_image
  memory_in_mbs      = var.settings.memory_mb
  timeout_in_seconds = 300
  config = merge(var.function_config, local.drill_config, {
    IR_NAMESPACE             = data.oci_objectstorage_namespace.this.namespace
    IR_NOTIFICATION_TOPIC_ID = oci_ons_notification_topic.this.id
    IR_SIGNING_SECRET_ID     = oci_vault_secret.signing_key.id
    IR_PEER_SECRET_IDS       = join(",", [for alias in var.peer_aliases : "${alias}=${oci_vault_secret.peer[alias].id}"])
  })
  freeform_tags = { "managed-by" = "image-replicator" }
}
