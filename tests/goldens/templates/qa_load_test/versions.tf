# costplan template for scenario 'qa-load-test' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build the functions first: cd src/<function> && zip ../../dist/<function>.zip handler.py

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7"
    }
  }
}
