"""The procedures over simulated time: the simulator behind the demo (``simulate.py``), the
demo's procedures step (``demo.py``) and ``dixian procedure_figures``. It sits above the
apps it drives (cases, exchange, assistance, registry), so none of them imports it."""
