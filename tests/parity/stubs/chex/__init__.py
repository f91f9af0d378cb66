import numpy as _np

Array = _np.ndarray
def assert_rank(*a, **k): pass
