"""Lambda vs ECS: size tasks and instances from the load, price each alternative, find the break-even."""
