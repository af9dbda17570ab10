"""The "60 minute blitz" of pytorch/tutorials (``beginner_source/blitz``), walked with torch
and with nnscratch: the same calls in the same order, on small NumPy data.

Random draws (``torch.rand``, ``randn``) cannot match torch's, so the walks check their
shapes, dtypes and ranges, and use injected NumPy values wherever a value is compared.
Training runs are in float64 and compared to rtol 1e-10: a few SGD steps carry each step's
summation-order rounding forward, far below what a wrong formula would show.
"""

from __future__ import annotations

import numpy as np
import pytest
from parity import require_torch
from script_pairs import dtype_name, node_name, run_both, shown, start_from, tensors

import nnscratch as ns

TRAINING = {"rtol": 1e-10, "atol": 1e-10}  # float64, a few steps (module docstring)


def _walk_tensor_tutorial(torch, x_np, y_np):
    """Follows pytorch/tutorials beginner_source/blitz/tensor_tutorial.py."""
    seen = {}
    empty = torch.empty(5, 3)
    drawn = torch.rand(5, 3)
    seen["empty"] = (tuple(empty.size()), dtype_name(empty.dtype))
    seen["rand"] = (tuple(drawn.shape), bool((drawn >= 0).all() and (drawn < 1).all()))
    seen["zeros"] = shown(torch.zeros(5, 3, dtype=torch.long))
    x = torch.tensor([5.5, 3])
    seen["literal"] = x
    x = x.new_ones(5, 3, dtype=torch.double)
    seen["new_ones"] = shown(x)
    x = torch.randn_like(x, dtype=torch.float)
    seen["randn_like"] = (tuple(x.size()), dtype_name(x.dtype))
    x, y = tensors(torch, x_np, y_np)
    seen["sum"] = x + y
    seen["add"] = torch.add(x, y)
    result = torch.empty(5, 3)
    returned = torch.add(x, y, out=result)
    seen["out="] = (returned is result, result)
    seen["add_ is self"] = y.add_(x) is y
    seen["y after add_"] = y
    seen["column"] = x[:, 1]
    square = torch.from_numpy(np.arange(16.0).reshape(4, 4))
    flat, halves = square.view(16), square.view(-1, 8)
    seen["views"] = [tuple(t.size()) for t in (square, flat, halves)]
    square[0, 0] = -1.0  # a view shares its base's memory
    seen["view shares"] = (flat[0].item(), halves[0, 0].item())
    one = torch.randn(1)
    seen["item"] = (tuple(one.shape), type(one.item()).__name__)
    a = torch.ones(5)
    b = a.numpy()
    a.add_(1)
    seen["numpy shares"] = b.copy()
    c = np.ones(5)
    d = torch.from_numpy(c)
    np.add(c, 1, out=c)
    seen["from_numpy shares"] = d.clone()
    seen["cuda"] = torch.cuda.is_available()
    device = torch.device("cpu")  # the script's device branch, on the device we have
    ones = torch.ones_like(x, device=device)
    moved = x.to(device)
    z = moved + ones
    back = z.to("cpu", torch.double)
    seen["to"] = (str(z.device), dtype_name(back.dtype), back)
    return seen


def test_tensor_tutorial(rng):
    x = rng.standard_normal((5, 3)).astype(np.float32)
    y = rng.random((5, 3)).astype(np.float32)
    ours, _ = run_both(_walk_tensor_tutorial, x, y)
    assert ours["numpy shares"].tolist() == [2.0] * 5
    assert ours["view shares"] == (-1.0, -1.0)


def _walk_autograd_tutorial(torch, a_np, x_np):
    """Follows pytorch/tutorials beginner_source/blitz/autograd_tutorial.py."""
    seen = {}
    x = torch.ones(2, 2, requires_grad=True)
    seen["x"] = shown(x)
    y = x + 2
    seen["y"] = (shown(y), node_name(y.grad_fn))
    z = y * y * 3
    out = z.mean()
    seen["z, out"] = (shown(z), shown(out))
    a = tensors(torch, a_np)
    a = (a * 3) / (a - 1)
    seen["a before"] = a.requires_grad
    a.requires_grad_(True)
    b = (a * a).sum()
    seen["a after"] = (a.requires_grad, node_name(b.grad_fn))
    out.backward()
    seen["x.grad"] = x.grad
    x = tensors(torch, x_np, requires_grad=True)
    y = x * 2
    doublings = 0
    while y.data.norm() < 1000:
        y = y * 2
        doublings += 1
    seen["doublings"] = doublings
    gradients = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    y.backward(gradients)
    seen["vector-Jacobian"] = x.grad
    seen["requires_grad"] = (x.requires_grad, (x**2).requires_grad)
    with torch.no_grad():
        seen["no_grad"] = (x**2).requires_grad
    return seen


def test_autograd_tutorial(rng):
    a = rng.standard_normal((2, 2)).astype(np.float32)
    x = np.array([0.3, -0.8, 0.5], dtype=np.float32)
    ours, _ = run_both(_walk_autograd_tutorial, a, x, rtol=1e-5, atol=1e-5)
    assert ours["x.grad"].tolist() == [[4.5, 4.5], [4.5, 4.5]]


PRINTED = {
    "literal": lambda torch: torch.tensor([5.5, 3]),
    "gradient": lambda torch: torch.full((2, 2), 4.5),
    "norm": lambda torch: torch.ones(3).norm(),
    "dtype": lambda torch: torch.rand(3, 4).dtype,
    "device": lambda torch: torch.rand(3, 4).device,
    "long": lambda torch: torch.zeros(2, 3, dtype=torch.long),
}


@pytest.mark.parametrize("case", sorted(PRINTED))
def test_printed_values_read_as_torchs(case):
    """What the blitz and basics scripts ``print``: nnscratch must print the same text, apart
    from torch's ``torch.`` prefix (nnscratch's dtypes are NumPy's). Shapes are left out: they
    are plain tuples here, ``(5, 3)`` where torch prints ``torch.Size([5, 3])``."""
    ours, theirs = PRINTED[case](ns), PRINTED[case](require_torch())
    assert shown(ours) == shown(theirs)


def _lenet(torch, in_channels=1, pool_module=False):
    nn, F = torch.nn, torch.nn.functional

    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(in_channels, 6, 5)
            if pool_module:
                self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            if pool_module:
                x = self.pool(F.relu(self.conv1(x)))
                x = self.pool(F.relu(self.conv2(x)))
                x = x.view(-1, 16 * 5 * 5)
            else:
                x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
                x = F.max_pool2d(F.relu(self.conv2(x)), 2)
                x = x.view(-1, self.flat_features(x))
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

        def flat_features(self, x):
            count = 1
            for s in x.size()[1:]:
                count *= s
            return count

    return LeNet()


def _walk_neural_networks_tutorial(torch, image, upstream, start=None):
    """Follows pytorch/tutorials beginner_source/blitz/neural_networks_tutorial.py."""
    seen = {}
    net = _lenet(torch).double()
    seen["start"] = start_from(torch, net, start)
    seen["repr"] = repr(net)
    params = list(net.parameters())
    seen["params"] = (len(params), tuple(params[0].size()))
    x = tensors(torch, image)
    out = net(x)
    seen["out"] = out
    net.zero_grad()
    out.backward(tensors(torch, upstream))
    seen["conv1.weight.grad"] = net.conv1.weight.grad
    output = net(x)
    target = torch.arange(1, 11).view(1, -1)
    criterion = torch.nn.MSELoss()
    loss = criterion(output, target)
    seen["loss"] = loss
    node = loss.grad_fn
    seen["graph"] = [node is not None, node.next_functions[0][0] is not None]
    seen["graph"].append(node.next_functions[0][0].next_functions[0][0] is not None)
    net.zero_grad()
    seen["bias grad before"] = net.conv1.bias.grad
    loss.backward()
    seen["bias grad after"] = net.conv1.bias.grad
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    optimizer.zero_grad()
    loss = criterion(net(x), target)
    loss.backward()
    optimizer.step()
    seen["stepped"] = dict(net.state_dict())
    return seen


def test_neural_networks_tutorial(rng):
    image = rng.standard_normal((1, 1, 32, 32))
    upstream = rng.standard_normal((1, 10))
    ours, _ = run_both(_walk_neural_networks_tutorial, image, upstream, **TRAINING)
    assert ours["params"] == (10, (6, 1, 5, 5))
    assert ours["bias grad before"] is None


def test_neural_networks_tutorial_float32_forward(rng):
    """The script's own dtype: one forward pass and MSE loss in float32."""
    image = rng.standard_normal((1, 1, 32, 32)).astype(np.float32)

    def walk(torch, start=None):
        net = _lenet(torch)
        state = start_from(torch, net, start)
        out = net(tensors(torch, image))
        loss = torch.nn.MSELoss()(out, torch.arange(1, 11).view(1, -1))
        return {"start": state, "out": out, "loss": loss}

    run_both(walk, rtol=1e-5, atol=1e-5)


class _TinyImages:
    """Stands in for CIFAR-10: uint8 images and labels, and the normalising transform."""

    def __init__(self, torch, images, labels):
        class Images(torch.utils.data.Dataset):
            def __len__(self):
                return len(labels)

            def __getitem__(self, i):
                image = torch.from_numpy(images[i].astype(np.float64) / 255.0)
                return (image - 0.5) / 0.5, int(labels[i])

        self.dataset = Images()


def _walk_cifar10_tutorial(torch, images, labels, start=None):
    """Follows pytorch/tutorials beginner_source/blitz/cifar10_tutorial.py (training data
    in order: the shuffled order is torch's own random draw, checked apart below)."""
    seen = {}
    trainset = _TinyImages(torch, images, labels).dataset
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=4, shuffle=False)
    testloader = torch.utils.data.DataLoader(trainset, batch_size=4, shuffle=False)
    first_images, first_labels = next(iter(trainloader))
    seen["batch"] = (tuple(first_images.shape), dtype_name(first_labels.dtype))
    net = _lenet(torch, in_channels=3, pool_module=True).double()
    seen["start"] = start_from(torch, net, start)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    losses = []
    for _ in range(2):
        running = 0.0
        for _, data in enumerate(trainloader, 0):
            inputs, targets = data
            optimizer.zero_grad()
            loss = criterion(net(inputs), targets)
            loss.backward()
            optimizer.step()
            running += loss.item()
        losses.append(running)
    seen["losses"] = losses
    dataiter = iter(testloader)
    test_images, test_labels = next(dataiter)
    _, predicted = torch.max(net(test_images), 1)
    seen["predicted"] = predicted
    correct, total = 0, 0
    class_correct, class_total = [0.0] * 10, [0.0] * 10
    with torch.no_grad():
        for batch_images, batch_labels in testloader:
            _, predicted = torch.max(net(batch_images).data, 1)
            total += batch_labels.size(0)
            correct += (predicted == batch_labels).sum().item()
            hits = (predicted == batch_labels).squeeze()
            for i in range(4):
                label = batch_labels[i]
                class_correct[label] += hits[i].item()
                class_total[label] += 1
    seen["accuracy"] = (correct, total, class_correct, class_total)
    seen["params"] = dict(net.state_dict())
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    seen["device"] = str(device)
    return seen


def test_cifar10_tutorial(rng):
    images = rng.integers(0, 256, size=(12, 3, 32, 32), dtype=np.uint8)
    labels = rng.integers(0, 10, size=12)
    run_both(_walk_cifar10_tutorial, images, labels, **TRAINING)


@pytest.mark.parametrize("num_workers", [0, 2])
def test_cifar10_shuffled_loader_visits_every_image_once(rng, num_workers):
    """``DataLoader(trainset, batch_size=4, shuffle=True, num_workers=2)``: the order is a
    random draw, so compare what it must be in both libraries: batches of 4 that together
    hold each sample once per epoch."""
    images = rng.integers(0, 256, size=(10, 3, 32, 32), dtype=np.uint8)
    labels = np.arange(10)

    def walk(torch):
        loader = torch.utils.data.DataLoader(
            _TinyImages(torch, images, labels).dataset,
            batch_size=4,
            shuffle=True,
            num_workers=num_workers,
        )
        epochs = []
        for _ in range(2):
            batches = list(loader)
            epochs.append(sorted(int(v) for _, y in batches for v in y))
        return {"len": len(loader), "sizes": [len(y) for _, y in batches], "epochs": epochs}

    ours, _ = run_both(walk)
    assert ours["epochs"] == [list(range(10))] * 2
