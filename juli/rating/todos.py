"""What waits for people in branch rating (`juli.core.todos`): each part registers its kinds
in its own module, imported here so that core's lazy discovery finds them."""

from . import todos_review, todos_self

__all__ = ["todos_review", "todos_self"]
