#!/usr/bin/env bash
# optconf's GPU run (README "GPU"): on a machine with an NVIDIA GPU and no package index,
# check what is installed, install what is missing from carried wheels, run the ci profile
# for tinygrad on CUDA (and torch on CUDA where it sees a GPU) and a short bench sweep, and
# write everything under one folder to commit.  Made to fit about ten minutes, installation
# included: each stage has a time limit, and a stage that fails or runs out is recorded and
# the next one runs; the exit status is 1 if any failed.
#
#   scripts/gpu-run.sh --fetch [--wheels DIR]       here, with an index: download the wheels
#   scripts/gpu-run.sh --dry-run [options]          say what would be carried, installed, run
#   scripts/gpu-run.sh [--out DIR] [--tar FILE] [--wheels DIR] [--python PY]
#
# The carried set is the repository's files (tracked and untracked-not-ignored) and the
# wheels in --wheels (default .whl, ignored by git): at most 64 MiB together.  The wheels are
# the packages pinned in pyproject.toml that a GPU image lacks (tinygrad) or holds in another
# version (hypothesis: its pin makes run seeds reproduce); they are pure Python.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=python3
WHEELS=$ROOT/.whl
OUT=$ROOT/reports/gpu
TAR=
MODE=run
LIMIT_BYTES=$((64 << 20))
CARRIED_PACKAGES="hypothesis tinygrad"
# seconds per stage: ten minutes in all with the installation
TINYGRAD_CI_S=${TINYGRAD_CI_S:-240}
TORCH_CI_S=${TORCH_CI_S:-120}
BENCH_S=${BENCH_S:-180}
BENCH_ARGS=(--adapter torch --adapter tinygrad --rule Adam --sizes 1e6 1e7 1e8
            --leaves 1 100 1000 --dtype float32)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while (($#)); do
    case $1 in
        --dry-run) MODE=dry ;;
        --fetch) MODE=fetch ;;
        --out) OUT=$(realpath -m "$2"); shift ;;
        --tar) TAR=$(realpath -m "$2"); shift ;;
        --wheels) WHEELS=$(realpath -m "$2"); shift ;;
        --python) PY=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "gpu-run: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

# NAME==VERSION for each carried package, as pyproject.toml pins it
pins() {
    "$PY" - "$ROOT/pyproject.toml" $CARRIED_PACKAGES <<'EOF'
import re, sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
specs = [*project["dependencies"], *(s for extra in project["optional-dependencies"].values()
                                     for s in extra)]
for name in sys.argv[2:]:
    pin = next(s for s in specs if re.fullmatch(rf"{name}==[\w.]+", s))
    print(pin)
EOF
}

# one line per package: NAME INSTALLED-VERSION-or-missing, and torch's view of CUDA
installed() {
    "$PY" - numpy pytest matplotlib $CARRIED_PACKAGES torch jax optax <<'EOF'
import sys
from importlib.metadata import PackageNotFoundError, version
for name in sys.argv[1:]:
    try:
        print(name, version(name))
    except PackageNotFoundError:
        print(name, "missing")
try:
    import torch
    print("torch-cuda", torch.cuda.is_available())
except ImportError:
    print("torch-cuda", False)
EOF
}

# the pins whose installed version ($HAVE, from installed) differs: the run installs those
needed() {
    while IFS== read -r name _ version; do
        grep -qx "$name $version" <<<"$HAVE" || echo "$name==$version"
    done < <(pins)
}

wheel_for() {  # NAME==VERSION -> the wheel file in $WHEELS, if there
    local name=${1%%==*} version=${1##*==}
    compgen -G "$WHEELS/${name}-${version}-*.whl" | head -n1 || true
}

carried_files() {  # the repository's files that travel, NUL-separated
    if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$ROOT" ls-files -z -co --exclude-standard | sed -z "s|^|$ROOT/|"
    else
        find "$ROOT" -path "$ROOT/.git" -prune -o -path "$WHEELS" -prune -o -type f -print0
    fi
}

bytes_of() { xargs -0 -r stat -c %s -- | awk '{s += $1} END {print s + 0}'; }

# optconf into $SITE without building it (a GPU image's setuptools may be too old for this
# pyproject.toml): its folders linked under the names pyproject.toml maps them to, and a
# dist-info holding the version and the entry points (adapters are found through them)
link_optconf() {
    "$PY" - "$ROOT" "$SITE" <<'EOF'
import sys, tomllib
from pathlib import Path
root, site = Path(sys.argv[1]), Path(sys.argv[2])
config = tomllib.load(open(root / "pyproject.toml", "rb"))
project = config["project"]
for package, folder in config["tool"]["setuptools"]["package-dir"].items():
    link = site.joinpath(*package.split("."))
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(root / folder)
info = site / f"{project['name']}-{project['version']}.dist-info"
info.mkdir()
(info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\n"
                               f"Version: {project['version']}\n")
groups = {"console_scripts": project["scripts"], **project["entry-points"]}
(info / "entry_points.txt").write_text("".join(
    f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in points.items()) + "\n"
    for group, points in groups.items()))
EOF
}

fetch() {
    mkdir -p "$WHEELS"
    while read -r pin; do
        "$PY" -m pip download --no-deps --only-binary=:all: -d "$WHEELS" "$pin"
    done < <(pins)
}

# stage NAME SECONDS COMMAND...: run with a time limit, log, record exit code and time
stage() {
    local name=$1 seconds=$2 start code
    shift 2
    echo "== $name (limit ${seconds} s): $*" | tee -a "$OUT/run.txt"
    start=$(date +%s)
    set +e
    # SIGINT first: optconf writes what it has (a partial bench.json and bench.md) on Ctrl-C
    timeout --signal=INT --kill-after=15 "$seconds" "$@" >"$OUT/$name.log" 2>&1
    code=$?
    set -e
    echo "   exit $code after $(($(date +%s) - start)) s" | tee -a "$OUT/run.txt"
    ((code == 0)) || FAILED+=("$name")
}

plan() {  # what the run does, in order
    local torch_cuda=$1
    echo "install into $SITE (pip --no-index --no-deps --target): $(needed | tr '\n' ' ')and optconf (linked)"
    echo "run: DEV=CUDA optconf run --adapter tinygrad --profile ci --out $OUT/conformance-tinygrad (${TINYGRAD_CI_S} s)"
    if [[ $torch_cuda == True ]]; then
        echo "run: OPTCONF_TORCH_DEVICE=cuda optconf run --adapter torch --profile ci --out $OUT/conformance-torch (${TORCH_CI_S} s)"
    else
        echo "skip: torch on CUDA (torch sees no GPU here)"
    fi
    echo "run: DEV=CUDA optconf bench ${BENCH_ARGS[*]} --out $OUT/bench (${BENCH_S} s)"
    echo "write: $OUT/{environment.txt,run.txt,*.log,conformance-*,bench}${TAR:+ and $TAR}"
}

dry_run() {
    local total=0 size repo missing=0 pin wheel
    repo=$(carried_files | bytes_of)
    echo "would carry: the repository, $repo bytes"
    total=$repo
    while read -r pin; do
        wheel=$(wheel_for "$pin")
        if [[ -z $wheel ]]; then
            echo "would carry: $pin -- NO WHEEL in $WHEELS (run scripts/gpu-run.sh --fetch)"
            missing=1
        else
            size=$(stat -c %s "$wheel")
            echo "would carry: ${wheel#"$ROOT"/}, $size bytes"
            total=$((total + size))
        fi
    done < <(pins)
    echo "carried set: $total bytes of at most $LIMIT_BYTES ($((total >> 20)) MiB of 64 MiB)"
    echo "installed here:"
    sed 's/^/  /' <<<"$HAVE"
    plan "$(awk '$1 == "torch-cuda" {print $2}' <<<"$HAVE")"
    if ((total > LIMIT_BYTES)); then
        echo "gpu-run: the carried set is over 64 MiB" >&2
        return 1
    fi
    return $missing
}

SITE=${TMPDIR:-/tmp}/optconf-gpu-site
case $MODE in
    fetch) fetch; exit ;;
    dry) HAVE=$(installed); dry_run; exit ;;
esac
HAVE=$(installed)

mkdir -p "$OUT"
: >"$OUT/run.txt"
{
    echo "optconf GPU run, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 || true
    "$PY" --version
    echo "$HAVE"
} | tee "$OUT/environment.txt"
TORCH_CUDA=$(awk '$1 == "torch-cuda" {print $2}' "$OUT/environment.txt")
plan "$TORCH_CUDA" | tee -a "$OUT/run.txt"

start=$(date +%s)
mapfile -t WANTED < <(needed)
WHEEL_FILES=()
for pin in "${WANTED[@]}"; do
    wheel=$(wheel_for "$pin")
    [[ -n $wheel ]] || { echo "gpu-run: no wheel for $pin in $WHEELS" >&2; exit 1; }
    WHEEL_FILES+=("$wheel")
done
rm -rf "$SITE"
mkdir -p "$SITE"
if ((${#WHEEL_FILES[@]})); then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --target "$SITE" "${WHEEL_FILES[@]}"
fi
link_optconf
export PYTHONPATH=$SITE${PYTHONPATH:+:$PYTHONPATH}
echo "== install: $((${#WHEEL_FILES[@]})) wheels and optconf in $(($(date +%s) - start)) s" | tee -a "$OUT/run.txt"

OPTCONF=("$PY" -m optconf.conformance.cli)
FAILED=()
stage tinygrad-ci "$TINYGRAD_CI_S" env DEV=CUDA "${OPTCONF[@]}" run --adapter tinygrad \
    --profile ci --out "$OUT/conformance-tinygrad"
if [[ $TORCH_CUDA == True ]]; then
    stage torch-ci "$TORCH_CI_S" env OPTCONF_TORCH_DEVICE=cuda "${OPTCONF[@]}" run \
        --adapter torch --profile ci --out "$OUT/conformance-torch"
fi
stage bench "$BENCH_S" env DEV=CUDA "${OPTCONF[@]}" bench "${BENCH_ARGS[@]}" --out "$OUT/bench"
if [[ -n $TAR ]]; then
    tar -czf "$TAR" -C "$(dirname "$OUT")" "$(basename "$OUT")"
    echo "wrote $TAR"
fi
echo "wrote $OUT"
if ((${#FAILED[@]})); then
    echo "gpu-run: failed or out of time: ${FAILED[*]} (see $OUT/run.txt)" >&2
    exit 1
fi
