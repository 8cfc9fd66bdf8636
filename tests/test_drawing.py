"""The network drawing's layout (exgen/exam/drawing.py): no weight tag overlaps another tag or a
neuron, tags stay on their own edge, everything fits the page; too dense is None, not a mess."""
import itertools

import pytest

from exgen.exam.drawing import TEXT_WIDTH, Box, label_size, layout, overlap

NODE = (1.45, 1.0)  # a neuron with its bias


def test_overlap_is_the_separating_axis_test():
    a = Box(0, 0, 1, 0.2)
    assert overlap(a, Box(1.5, 0, 1, 0.2)) and not overlap(a, Box(2.5, 0, 1, 0.2))
    assert overlap(a, Box(0, 0, 1, 0.2, 1.5707))  # a cross
    assert not overlap(Box(0, 0, 1, 0.1, 0.785), Box(1.2, -0.9, 0.3, 0.3))  # diagonal, clear of the corner


@pytest.mark.parametrize("layers", [(2, 2, 2), (3, 3, 2), (3, 2, 2), (1, 4, 1), (4, 4, 4, 4), (2, 3, 4, 3, 2)])
def test_no_tag_overlaps_another_tag_or_a_neuron(layers):
    tag = "-0.00"
    lay = layout(layers, tag, NODE)
    assert lay is not None
    size = label_size(tag)
    boxes = [e.tag_box(size) for e in lay.edges]
    assert len(boxes) == sum(a * b for a, b in zip(layers, layers[1:]))
    for a, b in itertools.combinations(boxes, 2):
        assert not overlap(a, b)
    for box in boxes:
        assert not any(overlap(box, n.box) for n in lay.nodes)
    for e in lay.edges:  # on its own edge, clear of both ends
        assert 0 < e.pos < 1
    xs = [n.x for n in lay.nodes]
    assert max(xs) - min(xs) + NODE[0] + 2.2 <= TEXT_WIDTH


def test_too_dense_to_label_is_none():
    assert layout((8, 8, 8), "-0.00", NODE) is None
    assert layout((6, 6, 6, 6, 6, 6), "-0.00", NODE) is None
