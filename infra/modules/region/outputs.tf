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

output "drill_schedule_id" {
  description = "The drill tick schedule's OCID (null without drills)."
  value       = local.drills ? oci_resource_scheduler_schedule.drills[0].id : null
}

output "schedule_id" {
  description = "The reconcile schedule's OCID."
  value       = oci_resource_scheduler_schedule.reconcile.id
}

output "bucket_ids" {
  description = "Bucket OCIDs by role."
  value       = { for role, bucket in oci_objectstorage_bucket.this : role => bucket.bucket_id }
}

output "topic_id" {
  description = "The region's Notifications topic (notices and alarms)."
  value       = oci_ons_notification_topic.this.id
}

output "log_id" {
  description = "The functions' invoke log."
  value       = oci_logging_log.invoke.id
}

output "log_group_id" {
  description = "The log group of the invoke log."
  value       = oci_logging_log_group.this.id
}

output "alarm_ids" {
  description = "Alarm OCIDs by alarm name."
  value       = { for name, alarm in oci_monitoring_alarm.this : name => alarm.id }
}
