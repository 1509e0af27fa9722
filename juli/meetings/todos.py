"""What waits for people in meetings (`juli.core.todos`): each part registers its kinds in
its own module, imported here so that core's lazy discovery finds them."""

from . import todos_minutes, todos_plan, todos_rules, todos_signin

__all__ = ["todos_minutes", "todos_plan", "todos_rules", "todos_signin"]
