output "region" {
  description = "The module's region."
  value       = var.region
}

output "function_id" {
  description = "The function's OCID."
  value       = oci_functions_function.this.id
}

output "rule_ids" {
  description = "Events rule OCIDs by rule name."
  value       = { for name, rule in oci_events_rule.this : name => rule.id }
}

output "schedule_id" {
  description = "The reconcile schedule's OCID."
  value       = oci_resource_scheduler_schedule.reconcile.id
}

output "bucket_ids" {
  description = "Bucket OCIDs by role."
  value       = { for role, bucket in oci_objectstorage_bucket.this : role => bucket.bucket_id }
}
