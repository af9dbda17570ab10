"""pytorch/tutorials beginner_source/nn_tutorial.py ("What is torch.nn really?"), walked with
torch and with nnscratch on small NumPy pictures: logistic regression from raw tensors, then
``nn.Parameter``, ``nn.Linear``, ``optim``, ``TensorDataset``, ``DataLoader``, and the CNN
versions (``Lambda`` modules, a wrapped loader). The loaders that the script shuffles are
given an explicit ``sampler`` here, so that both runs see the same order. Then what the
save-and-load recipes add: a checkpoint dict, loaded with ``map_location``, resumes training.

Training runs are in float64 and compared to rtol 1e-10: a few SGD steps carry each step's
summation-order rounding forward, far below what a wrong formula would show.
"""

from __future__ import annotations

import math

import numpy as np
from script_pairs import run_both, start_from, state_of, tensors

TRAINING = {"rtol": 1e-10, "atol": 1e-10}  # float64, a few steps (module docstring)
BS = 8


def _data(seed=12, n_train=24, n_valid=12):
    rng = np.random.default_rng(seed)
    x = rng.random((n_train + n_valid, 784))
    y = rng.integers(0, 10, n_train + n_valid)
    w0 = rng.standard_normal((784, 10)) / math.sqrt(784)
    order = rng.permutation(n_train).tolist()
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:], w0, order


def _walk_from_scratch(torch, lr=0.05, epochs=2):
    """The first half of nn_tutorial.py: raw tensors, then nn.Parameter, nn.Linear, optim."""
    x_train, y_train, x_valid, y_valid, w0, _ = _data()
    x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
    n, c = x_train.shape
    seen = {"data": (n, c, y_train.min().item(), y_train.max().item())}
    weights = torch.tensor(w0)
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True, dtype=torch.float64)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    def accuracy(out, yb):
        return (torch.argmax(out, dim=1) == yb).float().mean()

    xb, yb = x_train[0:BS], y_train[0:BS]
    preds = model(xb)
    seen["first"] = (preds[0], tuple(preds.shape), nll(preds, yb), accuracy(preds, yb))
    for _ in range(epochs):
        for i in range((n - 1) // BS + 1):
            xb, yb = x_train[i * BS : i * BS + BS], y_train[i * BS : i * BS + BS]
            loss = nll(model(xb), yb)
            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
    seen["raw"] = (nll(model(xb), yb), accuracy(model(xb), yb))
    loss_func = torch.nn.functional.cross_entropy
    seen["cross_entropy"] = loss_func(xb @ weights + bias, yb)

    class LogisticParams(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = torch.nn.Parameter(torch.tensor(w0))
            self.bias = torch.nn.Parameter(torch.zeros(10, dtype=torch.float64))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    class LogisticLinear(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(784, 10).double()
            with torch.no_grad():
                self.lin.weight.copy_(torch.tensor(w0.T))
                self.lin.bias.zero_()

        def forward(self, xb):
            return self.lin(xb)

    def fit(model):
        for _ in range(epochs):
            for i in range((n - 1) // BS + 1):
                xb, yb = x_train[i * BS : i * BS + BS], y_train[i * BS : i * BS + BS]
                loss_func(model(xb), yb).backward()
                with torch.no_grad():
                    for p in model.parameters():
                        p -= p.grad * lr
                    model.zero_grad()
        return loss_func(model(xb), yb)

    seen["Parameter fit"] = fit(LogisticParams())
    seen["Linear fit"] = fit(LogisticLinear())
    model = LogisticLinear()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    train_ds = torch.utils.data.TensorDataset(x_train, y_train)
    for _ in range(epochs):
        for i in range((n - 1) // BS + 1):
            xb, yb = train_ds[i * BS : i * BS + BS]
            loss_func(model(xb), yb).backward()
            opt.step()
            opt.zero_grad()
    seen["optim fit"] = loss_func(model(xb), yb)
    seen["valid"] = loss_func(model(x_valid), y_valid)
    return seen


def test_nn_tutorial_from_scratch():
    run_both(_walk_from_scratch, **TRAINING)


def _walk_loaders_and_cnn(torch, start=None, epochs=2, lr=0.1):
    """The second half of nn_tutorial.py: DataLoader fits, the CNN, Lambda, wrapped loaders."""
    nn, F = torch.nn, torch.nn.functional
    x_train, y_train, x_valid, y_valid, _, order = _data()
    x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
    train_ds = torch.utils.data.TensorDataset(x_train, y_train)
    valid_ds = torch.utils.data.TensorDataset(x_valid, y_valid)
    loss_func = F.cross_entropy
    seen = {"valid": []}

    def get_data():
        return (
            torch.utils.data.DataLoader(train_ds, batch_size=BS, sampler=order),
            torch.utils.data.DataLoader(valid_ds, batch_size=BS * 2),
        )

    def loss_batch(model, xb, yb, opt=None):
        loss = loss_func(model(xb), yb)
        if opt is not None:
            loss.backward()
            opt.step()
            opt.zero_grad()
        return loss.item(), len(xb)

    def fit(model, opt, train_dl, valid_dl):
        for _ in range(epochs):
            model.train()
            for xb, yb in train_dl:
                loss_batch(model, xb, yb, opt)
            model.eval()
            with torch.no_grad():
                losses, nums = zip(*[loss_batch(model, xb, yb) for xb, yb in valid_dl])
            seen["valid"].append(np.sum(np.multiply(losses, nums)) / np.sum(nums))

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    class WrappedDataLoader:
        def __init__(self, dl, func):
            self.dl, self.func = dl, func

        def __len__(self):
            return len(self.dl)

        def __iter__(self):
            for b in self.dl:
                yield self.func(*b)

    def convs():
        layers = [nn.Conv2d(1, 4, kernel_size=3, stride=2, padding=1), nn.ReLU()]
        layers += [nn.Conv2d(4, 4, kernel_size=3, stride=2, padding=1), nn.ReLU()]
        return layers + [nn.Conv2d(4, 10, kernel_size=3, stride=2, padding=1), nn.ReLU()]

    train_dl, valid_dl = get_data()
    seen["lengths"] = (len(train_dl), len(valid_dl))
    model = nn.Sequential(Lambda(lambda x: x.view(-1, 1, 28, 28)), *convs(), nn.AvgPool2d(4))
    model.append(Lambda(lambda x: x.view(x.size(0), -1)))
    model = model.double()
    seen["start"] = start_from(torch, model, start)
    fit(model, torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9), train_dl, valid_dl)
    seen["Lambda CNN"] = state_of(model)
    dev = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")

    def preprocess(x, y):
        return x.view(-1, 1, 28, 28).to(dev), y.to(dev)

    train_dl, valid_dl = (WrappedDataLoader(dl, preprocess) for dl in get_data())
    adaptive = nn.Sequential(
        *convs(), nn.AdaptiveAvgPool2d(1), Lambda(lambda x: x.view(x.size(0), -1))
    )
    adaptive.double().to(dev)
    # the Lambda that came first is gone: each layer's index is one less
    adaptive.load_state_dict(
        {
            f"{int(i) - 1}.{name}": model.state_dict()[f"{i}.{name}"]
            for i, name in [k.split(".", 1) for k in model.state_dict()]
        }
    )
    fit(adaptive, torch.optim.SGD(adaptive.parameters(), lr=lr, momentum=0.9), train_dl, valid_dl)
    seen["adaptive CNN"] = state_of(adaptive)
    torch.testing.assert_close(
        adaptive(x_valid[:2].view(-1, 1, 28, 28)).sum(),
        adaptive(x_valid[:2].view(-1, 1, 28, 28)).sum(),
    )
    return seen


def test_nn_tutorial_loaders_and_cnn():
    run_both(_walk_loaders_and_cnn, **TRAINING)


def _walk_checkpoint(torch, folder, start=None, lr=0.2):
    """A checkpoint dict (epoch, model and optimizer state, loss), saved after one epoch and
    loaded with ``map_location`` into a fresh model and optimizer, resumes training exactly."""
    x_train, y_train, *_ = _data()
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(*tensors(torch, x_train, y_train)), batch_size=BS
    )

    def make():
        model = torch.nn.Sequential(
            torch.nn.Linear(784, 6), torch.nn.ReLU(), torch.nn.Linear(6, 10)
        )
        return model.double()

    def epoch(model, opt):
        for xb, yb in loader:
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
        return loss

    model = make()
    seen = {"start": start_from(torch, model, start)}
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss = epoch(model, opt)
    path = folder / f"{torch.__name__}-checkpoint.pt"
    torch.save({"epoch": 1, "model_state_dict": model.state_dict(),
                "optimizer_state_dict": opt.state_dict(), "loss": loss}, path)  # fmt: skip
    epoch(model, opt)
    straight = state_of(model)
    checkpoint = torch.load(path, map_location="cpu")
    resumed = make()
    resumed.load_state_dict(checkpoint["model_state_dict"])
    opt = torch.optim.SGD(resumed.parameters(), lr=lr, momentum=0.9)
    opt.load_state_dict(checkpoint["optimizer_state_dict"])
    resumed.train()
    epoch(resumed, opt)
    seen["checkpoint"] = (checkpoint["epoch"], checkpoint["loss"])
    seen["resumed"] = state_of(resumed)
    for key, value in straight.items():
        np.testing.assert_array_equal(seen["resumed"][key], value, err_msg=key)
    return seen


def test_checkpoint_resumes_training(tmp_path):
    run_both(_walk_checkpoint, tmp_path, **TRAINING)


def test_drop_last_and_random_split():
    """``DataLoader(drop_last=True)`` and ``random_split`` (a random draw: compare sizes, and
    that the parts split the dataset)."""
    x_train, y_train, *_ = _data()

    def walk(torch):
        ds = torch.utils.data.TensorDataset(*tensors(torch, x_train, y_train))
        dl = torch.utils.data.DataLoader(ds, batch_size=10, drop_last=True)
        generator = torch.Generator().manual_seed(0)
        train, valid = torch.utils.data.random_split(ds, [18, 6], generator=generator)
        indices = sorted(list(train.indices) + list(valid.indices))
        return {
            "drop_last": (len(dl), [tuple(xb.shape) for xb, _ in dl]),
            "split": (len(train), len(valid), indices == list(range(24))),
            "item": train[0][0].shape == (784,),
        }

    run_both(walk)
