variable "region" {
  description = "The region this module deploys into (its provider's region)."
  type        = string
}

variable "functions_compartment_id" {
  description = "Compartment of the application, function, rules and schedule."
  type        = string
}

variable "buckets_compartment_id" {
  description = "Compartment of the staging and landing buckets."
  type        = string
}

variable "subnet_id" {
  description = "Subnet of the function application."
  type        = string
}

variable "function_image" {
  description = "The function image in this region's Container Registry."
  type        = string
}

variable "kms_key_id" {
  description = "Optional Vault key for the buckets; null uses Oracle-managed keys."
  type        = string
  default     = null
}

variable "function_config" {
  description = "The function's IR_* configuration."
  type        = map(string)
}

variable "settings" {
  description = "Bucket names, object prefix, retention, schedule and memory shared by every region."
  type = object({
    staging_bucket              = string
    landing_bucket              = string
    object_prefix               = string
    intermediate_retention_days = number
    reconcile_schedule          = string
    memory_mb                   = number
  })
}
