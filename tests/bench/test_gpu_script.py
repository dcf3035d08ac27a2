"""``scripts/gpu-run.sh``, the GPU run (README "GPU"): its dry run says what it would carry
(the repository and the pinned wheels a GPU image lacks, 64 MiB at most) and run, and a run
records every stage under one folder even when a stage fails."""

import os
import subprocess
import sys
import tarfile
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "scripts" / "gpu-run.sh"


def _pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = [*project["dependencies"], *project["optional-dependencies"]["tinygrad"]]
    return dict(s.split("==") for s in specs if s.split("==")[0] in ("hypothesis", "tinygrad"))


def _wheels(folder: Path, sizes: dict[str, int]) -> Path:
    """Stand-in wheels of the pinned packages, of the given sizes (sparse files)."""
    folder.mkdir(exist_ok=True)
    for name, size in sizes.items():
        with open(folder / f"{name}-{_pins()[name]}-py3-none-any.whl", "wb") as f:
            f.truncate(size)
    return folder


def _script(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), "--python", sys.executable, *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


def _repository_bytes() -> int:
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "-co",
                             "--exclude-standard"], capture_output=True, check=True).stdout
    return sum((ROOT / name).stat().st_size for name in listed.decode().split("\0") if name)


def test_the_dry_run_says_what_it_would_carry_and_run(tmp_path):
    wheels = _wheels(tmp_path / "whl", {"hypothesis": 1000, "tinygrad": 2000})
    done = _script("--dry-run", "--wheels", str(wheels))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"hypothesis-{_pins()['hypothesis']}-py3-none-any.whl, 1000 bytes" in out
    assert f"tinygrad-{_pins()['tinygrad']}-py3-none-any.whl, 2000 bytes" in out
    assert f"carried set: {_repository_bytes() + 3000} bytes of at most {64 << 20}" in out
    assert "DEV=CUDA optconf run --adapter tinygrad --profile ci" in out
    assert "DEV=CUDA optconf bench --adapter torch --adapter tinygrad" in out


def test_the_dry_run_fails_naming_a_wheel_it_cannot_carry(tmp_path):
    done = _script("--dry-run", "--wheels", str(_wheels(tmp_path / "whl", {"hypothesis": 10})))
    assert done.returncode == 1
    assert f"tinygrad=={_pins()['tinygrad']} -- NO WHEEL" in done.stdout
    assert "--fetch" in done.stdout


def test_the_dry_run_fails_when_the_carried_set_is_over_64_mib(tmp_path):
    wheels = _wheels(tmp_path / "whl", {"hypothesis": 10, "tinygrad": 64 << 20})
    done = _script("--dry-run", "--wheels", str(wheels))
    assert done.returncode == 1
    assert "over 64 MiB" in done.stderr


def _installed_as_pinned() -> bool:
    try:
        return all(version(name) == pin for name, pin in _pins().items())
    except PackageNotFoundError:
        return False


@pytest.mark.skipif(not _installed_as_pinned(), reason="needs the pinned hypothesis and "
                    "tinygrad installed (the run would install them from wheels)")
def test_a_run_whose_stages_fail_still_records_each_under_one_folder(tmp_path):
    """One second per stage: none can finish, on a GPU machine or off one."""
    out, tar = tmp_path / "gpu", tmp_path / "gpu.tar.gz"
    done = _script("--out", str(out), "--tar", str(tar), "--wheels", str(tmp_path / "none"),
                   env={"TINYGRAD_CI_S": "1", "TORCH_CI_S": "1", "BENCH_S": "1",
                        "TMPDIR": str(tmp_path)})
    assert done.returncode == 1 and "failed or out of time: tinygrad-ci" in done.stderr
    run = (out / "run.txt").read_text()
    assert "== install: 0 wheels and optconf" in run
    assert run.count("   exit ") == run.count("== ") - 1  # every stage but install has one
    assert "hypothesis " + _pins()["hypothesis"] in (out / "environment.txt").read_text()
    with tarfile.open(tar) as archive:
        assert "gpu/run.txt" in archive.getnames()
