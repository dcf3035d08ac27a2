"""tinygrad's compiler from pip alone (adapters/tinygrad_cc.py): the launcher rewrites
tinygrad's clang target for zig cc, and nothing changes where a compiler is already chosen."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from optconf.adapters import tinygrad_cc


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("CC", "")  # empty is unset for tinygrad_cc; undone after the test
    monkeypatch.delenv(tinygrad_cc.ZIG_ENV, raising=False)


@pytest.mark.skipif(os.name != "posix", reason="the launcher is a POSIX shell script")
@pytest.mark.parametrize(("arch", "target"), [("x86_64", "x86_64"), ("arm64", "aarch64")])
def test_launcher_passes_tinygrad_arguments_with_the_target_zig_spells(arch, target):
    launcher = tinygrad_cc._launcher(Path("/bin/echo"))  # echo stands in for the zig binary
    args = ["-c", "-O2", f"--target={arch}-none-unknown-elf", "-march=native", "-", "-o", "-"]
    out = subprocess.check_output([str(launcher), *args], text=True).split()
    assert out == ["cc", "-g0", "-c", "-O2", "-target", f"{target}-freestanding-none",
                   "-march=native", "-", "-o", "-"]


def test_launcher_is_written_once_per_zig_binary():
    first = tinygrad_cc._launcher(Path("/opt/zig one/zig"))
    assert tinygrad_cc._launcher(Path("/opt/zig one/zig")) == first
    assert tinygrad_cc._launcher(Path("/opt/zig two/zig")) != first
    assert "'/opt/zig one/zig' cc" in first.read_text()


@pytest.mark.parametrize("env", [{"CC": "gcc"}, {tinygrad_cc.ZIG_ENV: "0"}])
def test_a_chosen_compiler_or_the_switch_leaves_cc_alone(env, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(tinygrad_cc.shutil, "which", lambda _name: None)
    tinygrad_cc.use_zig_cc_without_clang()
    assert os.environ["CC"] == env.get("CC", "")


def test_without_clang_cc_names_the_zig_launcher(monkeypatch):
    pytest.importorskip("ziglang")
    monkeypatch.setattr(tinygrad_cc.shutil, "which", lambda _name: None)
    tinygrad_cc.use_zig_cc_without_clang()
    assert "zig" in Path(os.environ["CC"]).read_text()
