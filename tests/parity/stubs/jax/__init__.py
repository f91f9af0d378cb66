import numpy as _np

from . import nn, numpy, tree_util

Array = _np.ndarray
