"""Over-squashing measured directly: how sensitive the last token's final representation is
to each input token, by position (Barbero et al., 2024, section 5 bounds this; it is not
measured there).

For a prompt of L tokens, let v be the last token's final representation (after the final
norm, as in `collapse`) and e_i the embedding of token i as the first layer receives it (for
Gemma, already multiplied by √d). The sensitivity of position i is the Frobenius norm of
the Jacobian J_i = ∂v/∂e_i. Computing every J_i exactly takes one backward pass per output
dimension (640 for Gemma 3 270M); instead, for k random Gaussian directions u, the scalar
u·v is differentiated, and since E‖uᵀJ_i‖² = ‖J_i‖²_F,

    grad_norm_i = sqrt(mean over the k probes of ‖∂(u·v)/∂e_i‖²)

estimates ‖J_i‖_F with one forward and k backward passes, the same probes for every
position (so the profile over positions is not noisier than its level). The L2 norm of v
itself would be a poor scalar: after the final RMSNorm it hardly changes with its input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from evalsuite.datafiles import atomic_path
from evalsuite.errors import EvalsuiteError
from evalsuite.oversquash.collapse import write_csv
from evalsuite.oversquash.pairs import make_pair
from evalsuite.report.plots import PlotsUnavailable, pyplot

if TYPE_CHECKING:
    from evalsuite.oversquash.local_model import LocalModel

DEFAULT_LENGTH = 200
DEFAULT_PROBES = 8


@dataclass(frozen=True)
class SensitivityRow:
    """One input position (0 is BOS) and its estimated ‖∂v/∂e_i‖_F."""

    position: int
    token: str
    grad_norm: float


def measure_sensitivity(
    model: str,
    n: int = DEFAULT_LENGTH,
    kind: str = "copy",
    dtype: str = "float32",
    device: str | None = None,
    probes: int = DEFAULT_PROBES,
    seed: int = 0,
) -> list[SensitivityRow]:
    """One row per token of the shorter prompt of the `kind` pair with `n` digits."""
    from evalsuite.oversquash import local_model

    local_model.require_local(model, "sensitivity")
    if probes < 1 or n < 1:
        raise EvalsuiteError(f"--length and --probes must be 1 or more, got {n} and {probes}")
    prompt = make_pair(kind, n, seed).short
    local = local_model.load_local_model(model, dtype, device)
    ids = local.tokenizer.encode(prompt)
    local_model.check_context(local, len(ids), f"--length {n}")
    norms = jacobian_norms(local, ids, probes, seed)
    tokens = local.tokenizer.convert_ids_to_tokens(ids)
    return [SensitivityRow(position, token, norm) for position, (token, norm) in enumerate(zip(tokens, norms))]


def jacobian_norms(local: LocalModel, ids: list[int], probes: int = DEFAULT_PROBES, seed: int = 0) -> list[float]:
    """The estimated ‖∂v_last/∂e_i‖_F for every position i of `ids` in an open model."""
    import torch

    network = local.model
    input_ids = torch.tensor([ids], device=local.device)
    with torch.no_grad():
        embeds = network.get_input_embeddings()(input_ids)
    embeds = embeds.detach().requires_grad_(True)
    with torch.enable_grad():
        output = network(inputs_embeds=embeds, output_hidden_states=True, logits_to_keep=1, use_cache=False)
        state = output.hidden_states[-1][0, -1]
        generator = torch.Generator().manual_seed(seed)
        directions = torch.randn(probes, state.shape[-1], generator=generator, dtype=torch.float64)
        total = torch.zeros(len(ids), dtype=torch.float64)
        for k, direction in enumerate(directions):
            (grad,) = torch.autograd.grad(
                state, embeds, grad_outputs=direction.to(state.dtype).to(state.device),
                retain_graph=k < probes - 1,
            )
            total += grad[0].double().pow(2).sum(-1).cpu()
    return [math.sqrt(square) for square in (total / probes).tolist()]


def plot_sensitivity(rows: Sequence[SensitivityRow], path: str | Path, title: str = "") -> None:
    """A PNG of the gradient norm against position, log y."""
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(9, 4.5))
    axis.plot([row.position for row in rows], [row.grad_norm for row in rows], marker=".", markersize=3, linewidth=1)
    axis.set(yscale="log", xlabel="input position (0 = BOS; the last is the token read)",
             ylabel="‖∂v_last / ∂e_i‖_F (estimated)")
    axis.grid(True, which="major", alpha=0.3)
    axis.set_title(title or "sensitivity of the last token's final representation")
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=120)
    plt.close(figure)


def write_sensitivity(rows: Sequence[SensitivityRow], out_dir: str | Path, title: str = "") -> tuple[Path, Path | None]:
    """sensitivity.csv and sensitivity.png in `out_dir` (created if missing); the figure is None, and the
    table still written, where matplotlib is missing."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    table, figure = folder / "sensitivity.csv", folder / "sensitivity.png"
    write_csv(rows, table)
    try:
        plot_sensitivity(rows, figure, title)
    except PlotsUnavailable:
        return table, None
    return table, figure
