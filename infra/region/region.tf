variable "region" {
  description = "The region this apply deploys (one of regions); give each region its own state, e.g. a workspace named after it."
  type        = string
  validation {
    condition     = contains(var.regions, var.region)
    error_message = "region must be one of regions."
  }
}
