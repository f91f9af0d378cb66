import numpy as _np
from numpy import *


def vectorize(f, signature=None):
    return _np.vectorize(f, signature=signature)
