#!/usr/bin/env bash
# The GPU measurements of docs/performance.md in one go (issue 21), on a machine with CUDA:
#
#   benchmarks/gpu.sh [OUT]            # default OUT: gpu-results; about 8 minutes at most
#   benchmarks/gpu.sh --smoke [OUT]    # the same steps, tiny, on the CPU (what the tests run)
#
# Steps, each under its own time limit (a step that fails or times out is recorded in
# OUT/steps.txt and the others still run; the exit code is 1 if any failed):
#   1. the device (nvidia-smi, torch): OUT/device.txt;
#   2. the paper grid (sigmoid, N = 4..50, t = b in linspace(0.1, 5, 10), d = N, one restart)
#      as one `clverify sweep`: OUT/paper_grid/records.json and its wall time;
#   3. the large-N evaluations against their measured bound, benchmarks/bench_large_n.py at
#      4000x16, 20000x16, 100000x64: OUT/large_n.json;
#   4. gradient descent at N = 20000, d = 16 (t = b = 10, one restart, --max-seconds 240):
#      OUT/gd_20000.json;
#   5. the figures: the paper's figure (`clverify figure`, PNG and PDF) in OUT/.
# Record the numbers and the card (OUT/device.txt) in docs/performance.md.
set -u

SMOKE=0
if [ "${1:-}" = "--smoke" ]; then SMOKE=1; shift; fi
OUT=${1:-gpu-results}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python}
CLVERIFY=${CLVERIFY:-clverify}
mkdir -p "$OUT"
: > "$OUT/steps.txt"

if [ "$SMOKE" = 1 ]; then
    DEVICE=cpu; PAPER_N="4 5"; TB="0.1 5.0"; SIZES="300x8"; GD_N=200; GD_D=8; GD_SECONDS=10
    FIGURE_QUICK=--quick; LIMIT_GRID=120; LIMIT_LARGE=120; LIMIT_GD=60; LIMIT_FIGURE=180
else
    DEVICE=cuda; PAPER_N=$(seq 4 50); SIZES="4000x16 20000x16 100000x64"; GD_N=20000; GD_D=16
    TB=$("$PYTHON" -c "import numpy as np; print(' '.join(repr(float(v)) for v in np.linspace(0.1, 5, 10)))")
    GD_SECONDS=240; FIGURE_QUICK=; LIMIT_GRID=60; LIMIT_LARGE=90; LIMIT_GD=270; LIMIT_FIGURE=60
fi

failed=0
step() {   # step NAME LIMIT COMMAND...: run COMMAND under LIMIT seconds, record its status and time
    local name=$1 limit=$2; shift 2
    local start end status
    start=$(date +%s.%N)
    timeout "$limit" "$@"
    status=$?
    end=$(date +%s.%N)
    printf '%s: exit %s, %.1f s (limit %s s)\n' "$name" "$status" "$(awk "BEGIN {print $end - $start}")" "$limit" \
        | tee -a "$OUT/steps.txt"
    [ "$status" = 0 ] || failed=1
}

{ nvidia-smi -L 2>/dev/null || echo "no nvidia-smi"
  "$PYTHON" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(),
torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu')"; } > "$OUT/device.txt"
{   echo 'loss = "sigmoid"'
    echo "N = [$(echo $PAPER_N | tr ' ' ',')]"
    echo 'd = "N"'
    echo "points = [$(for v in $TB; do printf '{t = %s, b = %s}, ' "$v" "$v"; done | sed 's/, $//')]"
    echo 'restarts = 1'
} > "$OUT/paper_grid.toml"

step paper_grid "$LIMIT_GRID" "$CLVERIFY" sweep --grid "$OUT/paper_grid.toml" --out "$OUT/paper_grid" \
    --device "$DEVICE" --quiet
step large_n "$LIMIT_LARGE" sh -c "\"$PYTHON\" \"$ROOT/benchmarks/bench_large_n.py\" --device $DEVICE --sizes $SIZES > \"$OUT/large_n.json\""
step gd "$LIMIT_GD" "$CLVERIFY" gd --N "$GD_N" --d "$GD_D" --t 10 --b 10 --restarts 1 --device "$DEVICE" \
    --max-seconds "$GD_SECONDS" --format json --out "$OUT/gd_$GD_N.json"
step figure "$LIMIT_FIGURE" "$CLVERIFY" figure $FIGURE_QUICK --quiet --out "$OUT/paper_figure.png"
exit $failed
