output "region" {
  description = "The region this state deploys."
  value       = var.region
}

output "function_id" {
  description = "The function's OCID."
  value       = module.region.function_id
}

output "bucket_names" {
  description = "Staging and landing bucket names (the same in every region)."
  value       = { staging = var.staging_bucket, landing = var.landing_bucket }
}

output "event_rule_ids" {
  description = "Events rule OCIDs by rule name."
  value       = module.region.rule_ids
}

output "reconcile_schedule_id" {
  description = "The Resource Scheduler schedule of the reconcile pass."
  value       = module.region.schedule_id
}

output "notification_topic_id" {
  description = "The region's Notifications topic (notices and alarms)."
  value       = module.region.topic_id
}

output "invoke_log" {
  description = "The log group and invoke log to search (Logging search scope: compartment/log group/log)."
  value       = { log_group_id = module.region.log_group_id, log_id = module.region.log_id }
}

output "alarm_ids" {
  description = "Alarm OCIDs by alarm name."
  value       = module.region.alarm_ids
}
