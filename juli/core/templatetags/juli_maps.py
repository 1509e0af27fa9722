"""`{% juli_map_config %}`: the base map's configuration as a json_script (#juli-map-config),
read by static/js/basemap.js. Only the pages that draw a map load it."""

from __future__ import annotations

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from juli.core.maps import tile_config

register = template.Library()


@register.simple_tag
def juli_map_config() -> SafeString:
    return json_script(tile_config(), "juli-map-config")
