#!/usr/bin/env bash
# On a machine with CUDA: the transformers backend and the collapse probe on the embedded
# model, in float32 and bfloat16, with their timings. Needs torch (a CUDA build) and
# transformers; installs evalsuite from this folder without touching them.
#
#     bash benchmarks/gpu_check.sh [OUT_DIR]
#
# Prints one line per step: what ran, its wall time, and its result (the run's accuracy
# table, the collapse rows measured). Everything it writes goes under OUT_DIR (default: a
# new temporary folder), its response cache included, so every generation is real.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
export XDG_CACHE_HOME="$out/cache"

python - <<'PY'
import sys
import torch
if not torch.cuda.is_available():
    sys.exit("gpu_check: no CUDA device visible to torch " + torch.__version__)
print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}")
PY
python -m pip show evalsuite > /dev/null 2>&1 || python -m pip install --quiet ".[local]"

timed() {  # timed LABEL COMMAND…: run it, print the wall time
    local label="$1" start milliseconds
    shift
    start=$(date +%s%N)
    "$@"
    milliseconds=$(( ($(date +%s%N) - start) / 1000000 ))
    printf '%-34s %6d.%01d s\n' "$label" $((milliseconds / 1000)) $((milliseconds % 1000 / 100))
}

timed "convert the GGUF (once)" python -c "from evalsuite.backends import gemma; gemma.ensure_checkpoint()"
for dtype in float32 bfloat16; do
    timed "quick suite, hf/ cuda $dtype" python -m evalsuite run --model hf/gemma-3-270m \
        --device cuda --dtype "$dtype" --batch-size 32 --cache "$out/cache-$dtype.sqlite" \
        --out "$out/run-$dtype" > "$out/run-$dtype.txt"
    tail -n 3 "$out/run-$dtype.txt"
done
timed "collapse probe, float32+bfloat16" python -m evalsuite oversquash collapse \
    --model hf/gemma-3-270m --device cuda --dtypes float32,bfloat16 --out "$out/collapse"
python benchmarks/transformers_backend.py --device cuda --prompts 64 --batch-sizes 8,32,64
