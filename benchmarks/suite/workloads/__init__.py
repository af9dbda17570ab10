"""The workloads, W1 to W8, in the order the suite runs and reports them."""

from .w1_scratch import WORKLOAD as W1
from .w2_keras import WORKLOAD as W2
from .w3_mlp import WORKLOAD as W3
from .w4_lenet import WORKLOAD as W4
from .w5_lstm import WORKLOAD as W5
from .w6_latency import IMPORT as W6C
from .w6_latency import PREDICT as W6A
from .w6_latency import PREDICT_ON_BATCH as W6B
from .w7_mlp_sweep import WORKLOADS as W7
from .w8_optimizer import WORKLOADS as W8

WORKLOADS = (W1, W2, W3, W4, W5, W6A, W6B, W6C, *W7, *W8)
