"""`juli areas`: print the territorial tree with codes, two spaces per level."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from juli.orgs.models import Area


class Command(BaseCommand):
    help = 'Print the area tree, e.g. "黄浦区 [310101000000] district", indented by depth.'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--root", metavar="CODE", help="Print only the subtree of this area.")
        parser.add_argument(
            "--depth",
            type=int,
            metavar="N",
            help="Print N levels (1 = the roots only). Default: all.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        depth = options["depth"]
        if depth is not None and depth < 1:
            raise CommandError("--depth must be 1 or more.")
        areas = Area.objects.all()
        top = 1
        if options["root"]:
            root = Area.objects.filter(code=options["root"]).first()
            if root is None:
                raise CommandError(f"No area has the code {options['root']}.")
            areas = areas.filter(path__startswith=root.path)
            top = root.depth
        if depth is not None:
            areas = areas.filter(depth__lt=top + depth)
        # Materialised paths sort into tree order: each node right before its descendants.
        for area in areas.order_by("path").only("name", "code", "kind", "depth", "is_active"):
            retired = "" if area.is_active else " (retired)"
            indent = "  " * (area.depth - top)
            self.stdout.write(f"{indent}{area.name} [{area.code}] {area.kind}{retired}")
