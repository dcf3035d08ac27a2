"""``optconf bench``: the time of one optimiser step per engine and update path, as GB/s and
as a ratio to the memory limit measured in the same run; the per-leaf overhead; the cost of
differentiating through collection (README "Benchmarks").

Modules: :mod:`.protocol` (what an engine provides: a BenchEngine preparing a PreparedStep),
:mod:`.loader` (finding engines by name), :mod:`.engines` (the built-in engines' set-ups),
:mod:`.traffic` (bytes each rule must move), :mod:`.timing` (the timer and its overhead),
:mod:`.machine` (what the numbers were measured on), :mod:`.sweep` (the cases and running
them), :mod:`.worker` (each engine's cases in a process of its own), :mod:`.bound` (the
limit), :mod:`.record` (the run's records and their JSON), :mod:`.output` and :mod:`.plots`
(Markdown, the README headline, PNG), :mod:`.cli` (the command).
"""
