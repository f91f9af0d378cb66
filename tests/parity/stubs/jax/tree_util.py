def register_pytree_node_class(cls):
    return cls
def tree_map(fn, first, *rest):
    if isinstance(first, (list, tuple)):
        out = [tree_map(fn, a, *[r[i] for r in rest]) for i, a in enumerate(first)]
        return type(first)(out) if isinstance(first, tuple) else out
    if hasattr(first, 'tree_flatten'):
        children, aux = first.tree_flatten()
        others = [r.tree_flatten()[0] for r in rest]
        new = [fn(c, *[o[i] for o in others]) for i, c in enumerate(children)]
        return type(first).tree_unflatten(aux, new)
    return fn(first, *rest)
