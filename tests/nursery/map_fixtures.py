"""A park with a boundary and zones drawn inside it, for the map tests."""

from core import geo
from core.park_map import ParkMap

# The park: a 2 km square; zone A its south-west quarter, zone B its north-east quarter.
PARK = geo.polygon([(106.60, 30.50), (106.62, 30.50), (106.62, 30.52), (106.60, 30.52)])
ZONE_A = geo.polygon([(106.601, 30.501), (106.609, 30.501), (106.609, 30.509), (106.601, 30.509)])
ZONE_B = geo.polygon([(106.611, 30.511), (106.619, 30.511), (106.619, 30.519), (106.611, 30.519)])
IN_A = geo.point(106.605, 30.505)
IN_B = geo.point(106.615, 30.515)
OUTSIDE_PARK = geo.point(106.63, 30.53)


def draw_park() -> ParkMap:
    park = ParkMap.load()
    park.boundary = PARK
    park.entrance = geo.point(106.60, 30.50)
    park.save()
    return park
