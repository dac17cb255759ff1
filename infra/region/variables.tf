# What the region root alone reads, besides ../shared/variables.tf (linked here as
# shared-variables.tf): examples/region.tfvars gives these, -var region=… the region.

variable "region" {
  description = "The region this apply deploys (one of regions); give each region its own state, e.g. a workspace named after it."
  type        = string
  validation {
    condition     = contains(var.regions, var.region)
    error_message = "region must be one of regions."
  }
}

variable "events_compartment_ocid" {
  description = "Compartment of the Events rules. A rule sees only its own compartment's subtree, so this must contain the images' and the buckets' compartments; null means the tenancy. Conditions filter on data.compartmentId."
  type        = string
  default     = null
}

variable "create_network" {
  description = "Create, per region, a VCN with a private subnet whose only way out is a service gateway to Oracle Services (no NAT gateway: the function never calls another region)."
  type        = bool
  default     = false
}

variable "vcn_cidrs" {
  description = "Per region, the CIDR of the VCN made with create_network (default 10.70.0.0/16, 10.71.0.0/16, 10.72.0.0/16)."
  type        = map(string)
  default     = {}
}

variable "subnet_ids" {
  description = "Per region, the subnet of the function application when create_network is false: a private subnet with a service gateway to Oracle Services is enough."
  type        = map(string)
  default     = {}
}

variable "function_images" {
  description = "Per region, the function image pushed to that region's Container Registry (region.ocir.io/namespace/repo:tag)."
  type        = map(string)
}

variable "default_regions" {
  description = "Regions a 'replicate-to = default' tag means."
  type        = list(string)
  default     = []
}

variable "allowed_regions" {
  description = "Regions replicas may go to; empty allows every participating region."
  type        = list(string)
  default     = []
}

variable "opt_in_defined_tag" {
  description = "Optional defined tag (Namespace.key) that opts an image in, besides the freeform 'replicate-to' tag."
  type        = string
  default     = ""
}

variable "object_prefix" {
  description = "Prefix of every object the replicator writes."
  type        = string
  default     = "image-replicator/"
}

variable "intermediate_retention_days" {
  description = "Days after which leftover exported images and manifests are deleted by the bucket lifecycle policy."
  type        = number
  default     = 7
}

variable "notification_email" {
  description = "Optional address subscribed (by email, after it confirms) to each region's topic of notices and alarms."
  type        = string
  default     = null
}

variable "drill_subnet_ids" {
  description = "Per region, the private subnet of DR drills (with drill_compartment_ocid); a region not named gets one made in the VCN of create_network."
  type        = map(string)
  default     = {}
}

variable "drills" {
  description = "DR drills, with drill_compartment_ocid: every_days (0: only images tagged replicate-drill), new_replicas (each new replica once), concurrency per region, shape (empty: the cheapest the replica allows), expect (a regex its console must print, e.g. \"login:\"; empty: RUNNING is enough), boot_minutes before its console is read, timeout_minutes, and the drill tick's cron schedule."
  type = object({
    every_days      = optional(number, 0)
    new_replicas    = optional(bool, false)
    concurrency     = optional(number, 1)
    shape           = optional(string, "")
    expect          = optional(string, "")
    boot_minutes    = optional(number, 3)
    timeout_minutes = optional(number, 30)
    schedule        = optional(string, "2-59/5 * * * *")
  })
  default = {}
}

variable "function_memory_mb" {
  description = "Function memory (docs/performance.md gives the measured peak)."
  type        = number
  default     = 128
}

variable "transfer" {
  description = "How an image's disk reaches the targets this region sends to: copy (a full copy lands in each target's landing bucket, which imports it there) or direct (only a sealed ticket lands; the target's import reads the export in this region through a read PAR, saving a transfer and the landing storage). Every region must run a release that knows direct before one sends with it."
  type        = string
  default     = "copy"
  validation {
    condition     = contains(["copy", "direct"], var.transfer)
    error_message = "transfer must be copy or direct."
  }
}
