"""The national monitoring system's export, as the national system writes it.

Five tables (domain.md §2.3), each a sheet or a file with two title rows above the header:
监测对象信息 (one row per person, carrying the household's fields, the risks, both annual
income blocks and the fourteen assistance-measure columns), 户信息 (one row per person with
the household's living conditions), 已外出务工信息, 计划外出务工信息 and 行政村信息.

- :mod:`.columns`: the tables' columns, in order, and what each becomes in Dixian;
- :mod:`.reader`: reads the tables into the registry's tables (households, members, villages,
  income blocks, measures), rows keyed on the household and the row, never on the ID alone;
- :mod:`.writer`: writes a region's registry back in the same shape (separate from the reader);
- :mod:`.reconcile`: the registry's side of the reconciliation report (the comparison itself
  is in :mod:`dixian.engine.reconcile`).
"""
