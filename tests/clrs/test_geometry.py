"""Specification tests for segment intersection and the two convex-hull algorithms."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from evalsuite.clrs.geometry import (
    ALGORITHMS,
    cross,
    graham_scan,
    jarvis_march,
    sample_hull_points,
    sample_segments,
    segments_intersect,
)
from evalsuite.clrs.sampling import truncate

HULLS = (graham_scan, jarvis_march)


def _points(pairs):
    xs, ys = zip(*pairs)
    return np.array(xs, dtype=float), np.array(ys, dtype=float)


@pytest.mark.parametrize(
    "pairs, expected",
    [
        ([(0, 0), (1, 1), (0, 1), (1, 0)], 1),  # the diagonals of a square cross
        ([(0, 0), (1, 0), (0, 1), (1, 1)], 0),  # two parallel sides
        ([(0, 0), (1, 0), (0.5, 0), (0.5, 1)], 1),  # an endpoint touches the other segment
        ([(0, 0), (1, 0), (2, 0), (3, 0)], 0),  # collinear but apart
        ([(0, 0), (0.4, 0.4), (1, 0), (0, 1)], 0),  # stops short of the other segment
    ],
)
def test_segments_intersect(pairs, expected):
    trace = segments_intersect(*_points(pairs))
    assert trace.outputs == (expected,)
    assert trace.frames == ()


def test_segment_sampler_ignores_length_and_gives_four_points():
    for length in (1, 4, 64):
        xs, ys = sample_segments(np.random.RandomState(3), length, "paper")
        assert xs.shape == ys.shape == (4,)
        assert ((0 <= xs) & (xs < 1) & (0 <= ys) & (ys < 1)).all()


def test_segment_sampler_balances_the_answer():
    rng = np.random.RandomState(0)
    answers = [segments_intersect(*sample_segments(rng, 4, "paper")).outputs[0]
               for _ in range(400)]
    assert 150 < sum(answers) < 250


SQUARE_WITH_INSIDE = [(0, 0), (2, 0), (2, 2), (0, 2), (1, 1), (0.5, 1.5)]


@pytest.mark.parametrize("hull", HULLS)
def test_hull_marks_the_corners_only(hull):
    trace = hull(*_points(SQUARE_WITH_INSIDE))
    assert trace.outputs == ([1, 1, 1, 1, 0, 0],)
    assert trace.frames[0] == ([0] * 6,)
    assert trace.frames[-1] == trace.outputs


@pytest.mark.parametrize("hull", HULLS)
def test_hull_starts_from_the_lowest_leftmost_point(hull):
    trace = hull(*_points([(3, 1), (1, 0), (2, 0), (0, 3)]))
    second = trace.frames[1][0]
    assert second == [0, 1, 0, 0]


def test_graham_frame_count_is_three_plus_pushes_plus_pops():
    # A triangle with one point inside: the inner point is pushed, then popped when the
    # last corner shows it makes a right turn.
    trace = graham_scan(*_points([(0, 0), (4, 0), (1, 1), (0, 4)]))
    assert trace.outputs == ([1, 1, 0, 1],)
    pushes, pops = 3, 1
    assert len(trace.frames) == 3 + pushes + pops


def test_jarvis_frame_count_is_one_round_of_candidates_per_hull_point():
    trace = jarvis_march(*_points(SQUARE_WITH_INSIDE))
    hull_size, points = 4, 6
    # start, lowest point, then per hull point a sweep of all candidates, then a frame
    # for each newly taken point (all but the last sweep, which comes back to the start).
    assert len(trace.frames) == 2 + hull_size * points + (hull_size - 1)


def test_both_hulls_agree_on_sampled_points():
    rng = np.random.RandomState(1)
    for length in (3, 5, 12, 31):
        for flavor in ("current", "paper"):
            points = [truncate(v) if flavor == "current" else v
                      for v in sample_hull_points(rng, length, flavor)]
            assert graham_scan(*points).outputs == jarvis_march(*points).outputs


def test_current_hull_sampler_truncates_and_avoids_collinear_triples():
    xs, ys = sample_hull_points(np.random.RandomState(7), 12, "current")
    assert np.allclose(xs * 1000, np.round(xs * 1000), rtol=0, atol=1e-6)
    for i, j, k in itertools.combinations(range(12), 3):
        area = cross(xs[j] - xs[i], ys[j] - ys[i], xs[k] - xs[i], ys[k] - ys[i])
        assert abs(area) >= 1e-12
    assert (np.hypot(xs, ys) < 2).all()


def test_current_truncation_twice_is_not_once():
    # dm-clrs 2.0.3 truncates hull points in the sampler and again afterwards.
    once = truncate(np.array([1.0019, -1.0239, 0.5]))
    assert once.tolist() == [1.001, -1.023, 0.5]
    assert truncate(once).tolist() == [1.0, -1.022, 0.5]


def test_cross_is_bit_identical_to_numpy_cross():
    rng = np.random.RandomState(2)
    a, b = rng.uniform(-2, 2, (500, 2)), rng.uniform(-2, 2, (500, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        expected = np.cross(a, b)
    assert np.array_equal(cross(a[:, 0], a[:, 1], b[:, 0], b[:, 1]), expected)


def test_specs():
    by_name = {spec.name: spec for spec in ALGORITHMS}
    assert set(by_name) == {"segments_intersect", "graham_scan", "jarvis_march"}
    assert by_name["segments_intersect"].hints == ()
    assert by_name["graham_scan"].output_label == "in_hull"
