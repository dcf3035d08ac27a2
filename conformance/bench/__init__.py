"""``optconf bench``: the time of one optimiser step per engine and update path, as GB/s and
as a ratio to a same-run, same-device, same-threads copy of the same working set; the
per-leaf overhead; the cost of differentiating through collection (README "Benchmarks").

Modules: :mod:`.traffic` (bytes each rule must move), :mod:`.timing` (the timer and its
overhead), :mod:`.machine` (what the numbers were measured on), :mod:`.sweep` (the cases and
running them through ``Adapter.prepare_step``), :mod:`.output` and :mod:`.plots` (JSON,
Markdown, PNG), :mod:`.cli` (the command).
"""
