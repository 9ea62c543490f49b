# costplan template for scenario 'stock-explorer-websocket' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)
# note: compare recommends ECS (fargate), but pattern websocket_notify has no ECS template yet (its ECS design is not emitted): this is the Lambda design (--compute fargate says the same and exits 2)

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6"
    }
  }
}
