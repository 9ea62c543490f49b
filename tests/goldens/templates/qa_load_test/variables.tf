# costplan template for scenario 'qa-load-test' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build the functions first: cd src/<function> && zip ../../dist/<function>.zip handler.py

variable "name_prefix" {
  description = "Prefix for the names Terraform requires (functions, tables, rules): one per deployment, so a second deploy in the same account does not collide."
  type        = string
}
