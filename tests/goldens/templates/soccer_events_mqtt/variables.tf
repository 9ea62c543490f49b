# costplan template for scenario 'soccer-events-mqtt' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

variable "device_token_key_name" {
  description = "Name of the MQTT username query parameter / header that carries the fan's token"
  type        = string
  default     = "x-fan-token"
}

variable "device_token_signing_public_key" {
  description = "PEM public key (2,048 bits or more) your identity provider signs fans' tokens with (IoT Core verifies each token's signature against it before invoking the authorizer)"
  type        = string
}

variable "name_prefix" {
  description = "Prefix for the names Terraform requires (functions, tables, rules): one per deployment, so a second deploy in the same account does not collide."
  type        = string
}
