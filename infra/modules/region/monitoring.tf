# ----- notices, logs and alarms --------------------------------------------------------------------
# Topics are regional and the function calls its own region only: each region has its own,
# for the function's notices and the region's alarms alike. Topic names are tenancy-wide.

resource "oci_ons_notification_topic" "this" {
  compartment_id = var.functions_compartment_id
  name           = "image-replicator-${var.region}"
  description    = "image-replicator notices and alarms for ${var.region}"
  freeform_tags  = { "managed-by" = "image-replicator" }
}

resource "oci_ons_subscription" "email" {
  count          = var.settings.notification_email == null ? 0 : 1
  compartment_id = var.functions_compartment_id
  topic_id       = oci_ons_notification_topic.this.id
  protocol       = "EMAIL"
  endpoint       = var.settings.notification_email
}

# Without a log, OCI keeps nothing the function writes: its JSON lines land here.
resource "oci_logging_log_group" "this" {
  compartment_id = var.functions_compartment_id
  display_name   = "image-replicator-${var.region}"
  description    = "image-replicator function logs"
  freeform_tags  = { "managed-by" = "image-replicator" }
}

resource "oci_logging_log" "invoke" {
  display_name       = "image-replicator-invoke"
  log_group_id       = oci_logging_log_group.this.id
  log_type           = "SERVICE"
  is_enabled         = true
  retention_duration = var.settings.log_retention_days

  configuration {
    compartment_id = var.functions_compartment_id
    source {
      category    = "invoke"
      resource    = oci_functions_application.this.id
      service     = "functions"
      source_type = "OCISERVICE"
    }
  }
}

resource "oci_monitoring_alarm" "this" {
  for_each                                      = local.alarms
  compartment_id                                = var.functions_compartment_id
  display_name                                  = "${each.value.displayName}-${var.region}"
  destinations                                  = [oci_ons_notification_topic.this.id]
  is_enabled                                    = true
  metric_compartment_id                         = each.value.namespace == null ? var.settings.metrics_compartment_id : var.functions_compartment_id
  namespace                                     = coalesce(each.value.namespace, var.settings.metrics_namespace)
  query                                         = each.value.query
  severity                                      = each.value.severity
  body                                          = each.value.body
  pending_duration                              = each.value.pendingDuration
  message_format                                = "ONS_OPTIMIZED"
  is_notifications_per_metric_dimension_enabled = true
  repeat_notification_duration                  = "PT4H"
  freeform_tags                                 = { "managed-by" = "image-replicator" }
}

locals {
  # The same files the local sandbox reads, filled in the same way; the tests check every
  # query against the metric names the function emits.
  alarms_dir = "${path.module}/../../../monitoring/alarms"
  # An alarm whose file names a namespace reads a service's own metrics (oci_faas), posted in
  # the compartment of the function they describe.
  alarms = {
    for file in fileset(local.alarms_dir, "*.json") :
    trimsuffix(file, ".json") => merge({ namespace = null }, jsondecode(templatefile("${local.alarms_dir}/${file}", {
      window      = var.settings.alarm_window
      rpo_seconds = floor(var.settings.rpo_hours * 3600)
      rpo_hours   = var.settings.rpo_hours
      function_id = oci_functions_function.this.id
    })))
  }
}
