"""Regional programmes without Django (domain.md §8): the relocation follow-up's indicators
(:mod:`dixian.engine.regional.relocation`). Findings reuse :class:`dixian.engine.funds.Finding`."""
