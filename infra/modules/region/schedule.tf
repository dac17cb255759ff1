# The reconcile pass: Resource Scheduler invokes the function with {"action": "reconcile"}.
resource "oci_resource_scheduler_schedule" "reconcile" {
  compartment_id     = var.functions_compartment_id
  display_name       = "image-replicator-reconcile-${var.region}"
  description        = "Converges this region's part of every image replication, even when events were lost."
  action             = "START_RESOURCE"
  recurrence_type    = "CRON"
  recurrence_details = var.settings.reconcile_schedule

  resources {
    id = oci_functions_function.this.id
    parameters {
      parameter_type = "BODY"
      # The provider takes a list of one JSON string here.
      value = [jsonencode({ action = "reconcile" })]
    }
  }
}
