class Tensor: pass
