"""costplan: cost and capacity planning for AWS architectures that choose between Lambda and ECS."""

__version__ = "0.1.0"
