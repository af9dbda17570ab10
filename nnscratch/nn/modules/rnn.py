"""``torch.nn.modules.rnn``: the names torch defines there, re-exported."""

from ..rnn import GRU, LSTM, RNN, RNNBase
from ..rnn_cell import GRUCell, LSTMCell, RNNCell, RNNCellBase

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
