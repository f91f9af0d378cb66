"""Fitting a request into a local model's context: the prompt's tokens plus max_tokens.

In-process engines know both numbers before generating, so a request that cannot fit
becomes that sample's `rejected:` error instead of failing the batch; a default max_tokens
(`GenerationParams.fit_context`) is first lowered to the room the prompt leaves.
"""

from __future__ import annotations

from dataclasses import replace

from evalsuite.backends.base import Completion, GenerationParams


def fit_to_context(prompt_tokens: int, params: GenerationParams,
                   context: int | None) -> GenerationParams | None:
    """`params` as they fit beside a prompt of `prompt_tokens` in `context` tokens (None:
    unknown, anything fits), or None when they cannot."""
    if context is None or prompt_tokens + params.max_tokens <= context:
        return params
    room = context - prompt_tokens
    if params.fit_context and room >= 1:
        return replace(params, max_tokens=room)
    return None


def over_context(prompt_tokens: int, params: GenerationParams, context: int) -> Completion:
    """The rejection of a request that `fit_to_context` could not fit."""
    if params.fit_context:
        reason = f"{prompt_tokens} prompt tokens leave no room to answer in the model's context of {context}"
    else:
        reason = (f"{prompt_tokens} prompt tokens plus max_tokens {params.max_tokens} exceed "
                  f"the model's context of {context}")
    return Completion(text="", input_tokens=prompt_tokens, error=f"rejected: {reason}")
