"""Templates: build CloudFormation and Terraform for a planned pattern as data (build, components,
patterns, ecs), write them (cfn, hcl, write) and check them with costplan's own rules (rules)."""
