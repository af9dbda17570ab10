"""Pictures of models and training: curves, decision boundaries, network diagrams, graphs.

The plots need matplotlib, the optional extra ``pip install 'nnscratch[plot]'`` (imported only
when a plot is drawn; on a machine without a display the Agg backend is used). Each plot
function returns a ``matplotlib.figure.Figure`` and, given ``path``, saves it as a PNG.
``export_graph`` writes the autograd graph as Graphviz DOT or Mermaid text, with no extra needed.

>>> from nnscratch import viz
>>> sorted(viz.__all__)
['export_graph', 'plot_decision_boundary', 'plot_history', 'plot_network']
"""

from .decision_boundary import plot_decision_boundary
from .graph_export import export_graph
from .history import plot_history
from .network import plot_network

__all__ = ["export_graph", "plot_decision_boundary", "plot_history", "plot_network"]
