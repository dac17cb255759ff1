# ----- network (optional): a private subnet whose only way out is a service gateway ---------------
# A service gateway reaches Oracle services in its own region only, and the function never
# calls another region (copies between regions are Object Storage's own, server-side), so no
# NAT gateway and no internet egress are needed.

data "oci_core_services" "all" {
  count = var.create_network ? 1 : 0
  filter {
    name   = "name"
    values = ["All .* Services In Oracle Services Network"]
    regex  = true
  }
}

resource "oci_core_vcn" "functions" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.functions_compartment_id
  cidr_blocks    = [var.vcn_cidr]
  display_name   = "image-replicator"
  dns_label      = "replicator"
  freeform_tags  = { "managed-by" = "image-replicator" }
}

resource "oci_core_service_gateway" "oracle_services" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.functions_compartment_id
  vcn_id         = oci_core_vcn.functions[0].id
  display_name   = "image-replicator-oracle-services"
  services {
    service_id = data.oci_core_services.all[0].services[0].id
  }
}

resource "oci_core_route_table" "private" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.functions_compartment_id
  vcn_id         = oci_core_vcn.functions[0].id
  display_name   = "image-replicator-private"
  route_rules {
    destination       = data.oci_core_services.all[0].services[0].cidr_block
    destination_type  = "SERVICE_CIDR_BLOCK"
    network_entity_id = oci_core_service_gateway.oracle_services[0].id
  }
}

resource "oci_core_security_list" "private" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.functions_compartment_id
  vcn_id         = oci_core_vcn.functions[0].id
  display_name   = "image-replicator-private"
  egress_security_rules {
    description      = "HTTPS to Oracle services in this region, through the service gateway"
    destination      = data.oci_core_services.all[0].services[0].cidr_block
    destination_type = "SERVICE_CIDR_BLOCK"
    protocol         = "6"
    tcp_options {
      min = 443
      max = 443
    }
  }
}

resource "oci_core_subnet" "functions" {
  count                      = var.create_network ? 1 : 0
  compartment_id             = var.functions_compartment_id
  vcn_id                     = oci_core_vcn.functions[0].id
  cidr_block                 = cidrsubnet(var.vcn_cidr, 8, 0)
  display_name               = "image-replicator-functions"
  dns_label                  = "functions"
  prohibit_public_ip_on_vnic = true
  route_table_id             = oci_core_route_table.private[0].id
  security_list_ids          = [oci_core_security_list.private[0].id]
}

locals {
  subnet_id = var.create_network ? oci_core_subnet.functions[0].id : var.subnet_id
}
