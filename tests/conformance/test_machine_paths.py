"""A committed report carries no paths of the machine that made it (CONF-6)."""

from pathlib import Path

from optconf.conformance import worker
from optconf.conformance.worker import without_machine_paths


def test_error_text_names_files_relative_to_optconf_and_site_packages():
    root = Path(worker.__file__).resolve().parents[1]
    text = (f'File "{root}/adapters/torch.py", line 3\n'
            'File "/opt/py/lib/python3.11/site-packages/optax/_src/base.py", line 9')
    assert without_machine_paths(text) == ('File "adapters/torch.py", line 3\n'
                                           'File "site-packages/optax/_src/base.py", line 9')


def test_error_text_of_a_raised_error_holds_no_absolute_path():
    try:
        Path("/definitely/not/here").read_text()
    except OSError as exc:
        text = worker._error_text(exc)
    assert str(Path(worker.__file__).resolve().parents[1]) not in text


def test_a_run_leaves_no_former_runs_repro_scripts(tmp_path):
    from .runner_helpers import FAKE_REGISTRY, fake_adapter, optconf

    stale = tmp_path / "repro" / "old__case.py"
    stale.parent.mkdir()
    stale.write_text("# a script of a case that has since passed\n")
    proc = optconf("run", "--adapter", fake_adapter("GoodAdapter"), "--registry",
                   FAKE_REGISTRY, "--property", "fake.descent_step", "--out", str(tmp_path))
    assert proc.returncode == 0
    assert not stale.exists()
