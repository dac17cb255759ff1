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

output "notification_topic_ids" {
  description = "Notifications topic OCID per region (notices and alarms)."
  value       = { for m in local.regional : m.region => m.topic_id }
}

output "invoke_logs" {
  description = "Per region, the log group and invoke log to search (Logging search scope: compartment/log group/log)."
  value       = { for m in local.regional : m.region => { log_group_id = m.log_group_id, log_id = m.log_id } }
}

output "alarm_ids" {
  description = "Alarm OCIDs per region and alarm name."
  value       = { for m in local.regional : m.region => m.alarm_ids }
}
