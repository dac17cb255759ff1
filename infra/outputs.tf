output "function_ids" {
  description = "Function OCID per region."
  value       = { for m in local.regional : m.region => m.function_id }
}

output "bucket_names" {
  description = "Staging and landing bucket names (the same in every region)."
  value       = { staging = var.staging_bucket, landing = var.landing_bucket }
}

output "event_rule_ids" {
  description = "Events rule OCIDs per region."
  value       = { for m in local.regional : m.region => m.rule_ids }
}

output "reconcile_schedule_ids" {
  description = "Resource Scheduler schedule OCID per region."
  value       = { for m in local.regional : m.region => m.schedule_id }
}
