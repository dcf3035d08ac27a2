"""Each engine's benchmark set-up, one module per engine next to its adapter in
``optconf.adapters``: a :class:`~optconf.bench.protocol.BenchEngine` registered under the
adapter's short name in the ``optconf.bench`` entry-point group.  :mod:`.common` holds the
data every engine starts from."""
