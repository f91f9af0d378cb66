import numpy as _np
from . import numpy, tree_util, nn
Array = _np.ndarray
