"""Computational geometry (CLRS chapter 33): segment intersection and two convex hulls.

The text shows the point coordinates `x` and `y`. segments_intersect answers whether
segment 0-1 crosses segment 2-3 and has no hint the text shows; the hull algorithms
answer which points lie on the hull (`in_hull`) and, with hints, that mask step by step.
"""

from __future__ import annotations

import functools
import math
from typing import TypeVar

import numpy as np

from evalsuite.clrs.sampling import random_sequence, truncate
from evalsuite.clrs.spec import AlgorithmSpec, Field, Flavor, Kind, Trace

Coordinate = TypeVar("Coordinate", float, np.ndarray)

POINTS = (Field("x", Kind.FLOATS), Field("y", Kind.FLOATS))
INTERSECT = (Field("intersect", Kind.INDEX),)
IN_HULL = (Field("in_hull", Kind.INTS),)

HULL_RADIUS = 2.0
HULL_CENTRE = (0.0, 0.0)
# dm-clrs 2.0.3 resamples the hull points while three of them are this close to collinear,
# and gives up after this many draws.
COLLINEARITY_EPS = 1e-12
COLLINEARITY_ATTEMPTS = 1000
# dm-clrs samples and runs a single point, but its text rendering of a one-node
# coordinate list fails, so no official text exists below two points.
HULL_MIN_LENGTH = 2
# Sorts the lowest point before every polar angle, which all lie in [-pi, pi].
BEFORE_ALL_ANGLES = -123456789.0


def cross(ax: Coordinate, ay: Coordinate, bx: Coordinate, by: Coordinate) -> Coordinate:
    """The 2D cross product a × b, rounded exactly as np.cross rounds it for 2-vectors.

    np.cross computes a0 * b1 - a1 * b0 with separate multiplies and a subtraction, and so
    does this (Python floats and numpy arrays alike), but without np.cross's deprecation
    of 2-vectors.
    """
    return ax * by - ay * bx


# --- segments_intersect ------------------------------------------------------------------

def _sampler_says_intersect(xs: list[float], ys: list[float]) -> bool:
    """The sampler's quick intersection test, which ignores collinear touching."""

    def counter_clockwise(a: int, b: int, c: int) -> bool:
        return (ys[c] - ys[a]) * (xs[b] - xs[a]) > (ys[b] - ys[a]) * (xs[c] - xs[a])

    return (counter_clockwise(0, 2, 3) != counter_clockwise(1, 2, 3)
            and counter_clockwise(0, 1, 2) != counter_clockwise(0, 1, 3))


def sample_segments(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """Four points in the unit square; intersecting or not by a fair coin drawn first.

    `length` is ignored: there are always four endpoints. The coin decides on the
    untruncated points, so after the `current` truncation the answer may differ from it.
    """
    wants_intersection = bool(rng.binomial(1, 0.5))
    while True:
        xs, ys = random_sequence(rng, 4), random_sequence(rng, 4)
        if _sampler_says_intersect(xs.tolist(), ys.tolist()) == wants_intersection:
            return [xs, ys]


def _direction(xs: list[float], ys: list[float], i: int, j: int, k: int) -> float:
    """Which side of the line i->j point k lies on, by the sign of (k - i) × (j - i)."""
    return cross(xs[k] - xs[i], ys[k] - ys[i], xs[j] - xs[i], ys[j] - ys[i])


def _on_segment(xs: list[float], ys: list[float], i: int, j: int, k: int) -> bool:
    """Whether point k lies in the bounding box of segment i-j."""
    return (min(xs[i], xs[j]) <= xs[k] <= max(xs[i], xs[j])
            and min(ys[i], ys[j]) <= ys[k] <= max(ys[i], ys[j]))


def segments_intersect(x: np.ndarray, y: np.ndarray) -> Trace:
    """CLRS SEGMENTS-INTERSECT for segments 0-1 and 2-3: 1 when they meet, else 0."""
    xs, ys = x.tolist(), y.tolist()
    # Endpoint k against the other segment (i, j), in the order CLRS tests them.
    tests = ((2, 3, 0), (2, 3, 1), (0, 1, 2), (0, 1, 3))
    directions = [_direction(xs, ys, i, j, k) for i, j, k in tests]
    touching = [_on_segment(xs, ys, i, j, k) for i, j, k in tests]
    d0, d1, d2, d3 = directions
    straddles = (((d0 > 0 and d1 < 0) or (d0 < 0 and d1 > 0))
                 and ((d2 > 0 and d3 < 0) or (d2 < 0 and d3 > 0)))
    meets = straddles or any(d == 0 and on for d, on in zip(directions, touching))
    return Trace(inputs=(xs, ys), outputs=(int(meets),), frames=())


# --- convex hull sampling ------------------------------------------------------------------

@functools.cache
def _ordered_triples(size: int) -> np.ndarray:
    """Mask of the index triples i < j < k, shape (size, size, size)."""
    index = np.arange(size)
    return ((index[:, None, None] < index[None, :, None])
            & (index[None, :, None] < index[None, None, :]))


def _has_collinear_triple(xs: np.ndarray, ys: np.ndarray) -> bool:
    """Whether any three points i < j < k have |(p_j - p_i) × (p_k - p_i)| < eps.

    All triples at once; elementwise numpy products and differences round exactly as
    the official per-triple np.cross does, so the same draws are rejected.
    """
    dx, dy = xs[None, :] - xs[:, None], ys[None, :] - ys[:, None]  # [i, j]: p_j - p_i
    areas = cross(dx[:, :, None], dy[:, :, None], dx[:, None, :], dy[:, None, :])
    return bool((np.abs(areas[_ordered_triples(len(xs))]) < COLLINEARITY_EPS).any())


def _points_in_disk(rng: np.random.RandomState, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points in the disk of radius 2 around the origin (angle, then radius)."""
    thetas = random_sequence(rng, length, 0.0, 2.0 * np.pi)
    radii = HULL_RADIUS * np.sqrt(random_sequence(rng, length))
    # Adding the centre (0, 0) is kept: it turns a -0.0 coordinate into 0.0.
    centre_x, centre_y = HULL_CENTRE
    return radii * np.cos(thetas) + centre_x, radii * np.sin(thetas) + centre_y


def sample_hull_points(rng: np.random.RandomState, length: int, flavor: Flavor) -> list:
    """The convex-hull sampler.

    `paper` (dm-clrs 2.0.1) takes the first draw. `current` (2.0.3) truncates inside the
    sampler and redraws while three truncated points are collinear. The generator then
    truncates these already truncated points a second time, as dm-clrs does; that is not
    a no-op (1.001 * 1000 rounds to 1000.9999999999999, so 1.001 becomes 1.0), and so the
    algorithm can still meet points that are collinear.
    """
    if flavor == "paper":
        return list(_points_in_disk(rng, length))
    for _ in range(COLLINEARITY_ATTEMPTS):
        xs, ys = (truncate(values) for values in _points_in_disk(rng, length))
        if not _has_collinear_triple(xs, ys):
            return [xs, ys]
    raise RuntimeError(f"could not sample {length} points without collinear triples")


# --- convex hull algorithms ----------------------------------------------------------------

def _lowest_point(xs: list[float], ys: list[float]) -> int:
    """The point with the least y, the leftmost among equals (the first among exact ties)."""
    best = 0
    for i in range(len(xs)):
        if ys[i] < ys[best] or (ys[i] == ys[best] and xs[i] < xs[best]):
            best = i
    return best


def _turns_clockwise(xs: list[float], ys: list[float], i: int, j: int, k: int) -> bool:
    """Whether i -> j -> k makes a right turn or goes straight (cross product <= 0)."""
    # cross() written out: this is the hull algorithms' inner loop.
    return (xs[j] - xs[i]) * (ys[k] - ys[i]) - (ys[j] - ys[i]) * (xs[k] - xs[i]) <= 0


def _by_polar_angle(xs: list[float], ys: list[float], best: int) -> list[int]:
    """Point indices by polar angle around `best`, `best` first.

    np.argsort (not sorted()) so that equal angles fall in the official order.
    """
    angles = [
        math.atan2(ys[i] - ys[best], xs[i] - xs[best]) if i != best else BEFORE_ALL_ANGLES
        for i in range(len(xs))
    ]
    return np.argsort(np.array(angles)).tolist()


def _hull_trace(xs: list[float], ys: list[float], frames: list[list[int]]) -> Trace:
    return Trace(
        inputs=(xs, ys), outputs=(frames[-1],), frames=tuple((mask,) for mask in frames),
    )


def graham_scan(x: np.ndarray, y: np.ndarray) -> Trace:
    """Graham scan: sort by angle around the lowest point, keep a stack of left turns.

    Hint frames: the start, the lowest point found, the angles sorted, then one per
    point popped and one per point pushed. Each frame is the hull mask at that moment.
    """
    xs, ys = x.tolist(), y.tolist()
    size = len(xs)
    in_hull = [0] * size
    frames = [in_hull[:]]
    best = _lowest_point(xs, ys)
    in_hull[best] = 1
    frames += [in_hull[:], in_hull[:]]
    order = _by_polar_angle(xs, ys, best)
    below = list(range(size))  # below[p]: the point under p on the stack (itself if none)
    top = best
    for rank in range(1, size):
        point = order[rank]
        if rank >= 3:
            while _turns_clockwise(xs, ys, below[top], top, point):
                popped, top = top, below[top]
                below[popped] = popped
                in_hull[popped] = 0
                frames.append(in_hull[:])
        in_hull[point] = 1
        below[point] = top
        top = point
        frames.append(in_hull[:])
    return _hull_trace(xs, ys, frames)


def jarvis_march(x: np.ndarray, y: np.ndarray) -> Trace:
    """Jarvis march: from the lowest point, wrap around by the most clockwise candidate.

    Hint frames: the start, the lowest point found, then for every hull point one frame
    per candidate examined and one when the next hull point is taken.
    """
    xs, ys = x.tolist(), y.tolist()
    size = len(xs)
    in_hull = [0] * size
    frames = [in_hull[:]]
    best = _lowest_point(xs, ys)
    in_hull[best] = 1
    mask = in_hull[:]
    frames.append(mask)
    last_point, endpoint = best, 0
    while True:
        for candidate in range(size):
            if endpoint == last_point or (
                candidate != last_point and candidate != endpoint
                and _turns_clockwise(xs, ys, last_point, endpoint, candidate)
            ):
                endpoint = candidate
        # The mask does not change while candidates are examined: share one list.
        frames += [mask] * size
        if in_hull[endpoint]:
            break
        in_hull[endpoint] = 1
        mask = in_hull[:]
        frames.append(mask)
        last_point, endpoint = endpoint, 0
    return _hull_trace(xs, ys, frames)


# --- specs ------------------------------------------------------------------------------

def _hull_spec(name: str, run) -> AlgorithmSpec:
    return AlgorithmSpec(
        name=name, chapter="geometry", inputs=POINTS, outputs=IN_HULL, hints=IN_HULL,
        sample=sample_hull_points, run=run, min_length=HULL_MIN_LENGTH,
    )


ALGORITHMS = (
    AlgorithmSpec(
        name="segments_intersect", chapter="geometry", inputs=POINTS, outputs=INTERSECT,
        hints=(), sample=sample_segments, run=segments_intersect,
    ),
    _hull_spec("graham_scan", graham_scan),
    _hull_spec("jarvis_march", jarvis_march),
)
