"""Talk to AWS through boto3: refresh prices, read applied quotas, learn a workload from CloudWatch.

Only this package imports boto3; nothing here is imported at `costplan` start-up. Modules:
refresh (Price List → price files), quotas (Lambda account settings + Service Quotas),
cloudwatch (metrics → scenario), iam (the policy they need), session (clients, errors, redact).
"""
