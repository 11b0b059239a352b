"""Regional programmes without Django (domain.md §8): the pairings of East–West cooperation and
paired assistance (:mod:`dixian.engine.regional.pairing`), the relocation follow-up's indicators
(:mod:`dixian.engine.regional.relocation`) and the land-quota trades' findings
(:mod:`dixian.engine.regional.land_quota`). Findings reuse :class:`dixian.engine.funds.Finding`."""
