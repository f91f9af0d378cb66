from numpy import *
import numpy as _np
def vectorize(f, signature=None):
    return _np.vectorize(f, signature=signature)
