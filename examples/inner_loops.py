"""Short inner loops unrolled into the trace of the loop around them: a loop over polygons whose inner loops walk
each polygon's few points, one in the loop's own body and one in a method the trace inlines. Each inner loop's
iterations are recorded one after the other inside the outer loop's trace (at most `unroll` of them); a polygon
with another number of points leaves the trace at the inner loop's FOR_ITER, and its bridge takes that shape.
Compare `--params unroll=0`: the inner loops are then compiled on their own, entered once per polygon."""


class Polygon:
    def __init__(self, points):
        self.points = points

    def perimeter_x(self):
        s = 0.0
        for x, _ in self.points:
            s += abs(x)
        return s


def measure(polygons):
    area2, width = 0.0, 0.0
    for poly in polygons:
        pts = poly.points
        n = len(pts)
        for i in range(n):
            x1, y1 = pts[i]
            x2, y2 = pts[(i + 1) % n]
            area2 += x1 * y2 - x2 * y1
        width += poly.perimeter_x()
    return area2 / 2, width


triangles = [Polygon([(0.0, 0.0), (k % 7 + 1.0, 0.0), (0.0, k % 5 + 1.0)]) for k in range(2000)]
quads = [Polygon([(0.0, 0.0), (2.0, 0.0), (2.0, k % 3 + 1.0), (0.0, 1.0)]) for k in range(2000)]
for _ in range(100):
    a = measure(triangles)
    b = measure(triangles[:1000] + quads[:1000])
print(a, b)
