"""The "Learn the basics" scripts of pytorch/tutorials (``beginner_source/basics``), walked
with torch and with nnscratch: the same calls in the same order, on small NumPy data that
stands in for FashionMNIST (torchvision is no part of either library).

Training runs are in float64 and compared to rtol 1e-10: a few SGD steps carry each step's
summation-order rounding forward, far below what a wrong formula would show.
"""

from __future__ import annotations

import numpy as np
from script_pairs import (
    dtype_name,
    node_name,
    run_both,
    shown,
    start_from,
    state_of,
    tensors,
)

TRAINING = {"rtol": 1e-10, "atol": 1e-10}  # float64, a few steps (module docstring)
CLASSES = ["tee", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker"]


def _pictures(seed=3, count=20, side=28):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (count, side, side), np.uint8), rng.integers(0, 8, count)


def _picture_set(torch, images, labels, transform=None, target_transform=None):
    """A ``Dataset`` subclass like the tutorials' custom image dataset: it turns uint8
    pictures into float64 ``(1, H, W)`` tensors in [0, 1], as ``ToTensor`` does."""

    class Pictures(torch.utils.data.Dataset):
        def __init__(self):
            self.transform, self.target_transform = transform, target_transform

        def __len__(self):
            return len(labels)

        def __getitem__(self, idx):
            image = torch.from_numpy(images[idx][None] / 255.0)
            label = int(labels[idx])
            if self.transform:
                image = self.transform(image)
            if self.target_transform:
                label = self.target_transform(label)
            return image, label

    return Pictures()


def _classifier(torch, hidden=24, final_relu=True):
    nn = torch.nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            layers = [nn.Linear(28 * 28, hidden), nn.ReLU(), nn.Linear(hidden, hidden)]
            layers += [nn.ReLU(), nn.Linear(hidden, len(CLASSES))]
            self.linear_relu_stack = nn.Sequential(*layers, *([nn.ReLU()] if final_relu else []))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    return Classifier()


def _walk_quickstart(torch, folder, start=None):
    """Follows pytorch/tutorials beginner_source/basics/quickstart_tutorial.py."""
    seen = {}
    images, labels = _pictures()
    training_data = _picture_set(torch, images[:16], labels[:16])
    test_data = _picture_set(torch, images[16:], labels[16:])
    train_dataloader = torch.utils.data.DataLoader(training_data, batch_size=6)
    test_dataloader = torch.utils.data.DataLoader(test_data, batch_size=6)
    for X, y in test_dataloader:
        seen["first batch"] = (tuple(X.shape), tuple(y.shape), dtype_name(y.dtype))
        break
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = _classifier(torch).double().to(device)
    seen["start"] = start_from(torch, model, start)
    seen["repr"] = repr(model)
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
    seen["train"], seen["test"] = [], []
    for _ in range(2):
        size = len(train_dataloader.dataset)
        model.train()
        for batch, (X, y) in enumerate(train_dataloader):
            X, y = X.to(device), y.to(device)
            loss = loss_fn(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            seen["train"].append((loss.item(), batch * len(X), size))
        num_batches = len(test_dataloader)
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in test_dataloader:
                pred = model(X.to(device))
                test_loss += loss_fn(pred, y.to(device)).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        seen["test"].append((test_loss / num_batches, correct / len(test_data)))
    path = str(folder / f"{torch.__name__}-model.pth")
    torch.save(model.state_dict(), path)
    model = _classifier(torch)
    model.load_state_dict(torch.load(path))
    seen["loaded dtype"] = dtype_name(model.linear_relu_stack[0].weight.dtype)
    model.double().eval()
    x, y = test_data[0][0], test_data[0][1]
    with torch.no_grad():
        pred = model(x)
        seen["predicted, actual"] = (CLASSES[pred[0].argmax(0)], CLASSES[y])
    seen["loaded"] = state_of(model)
    return seen


def test_quickstart(tmp_path):
    ours, _ = run_both(_walk_quickstart, tmp_path, **TRAINING)
    assert ours["loaded dtype"] == "float32"  # load_state_dict casts into the module's dtype


def _walk_optimization(torch, start=None, epochs=2):
    """Follows pytorch/tutorials beginner_source/basics/optimization_tutorial.py."""
    images, labels = _pictures(seed=5)
    train_dataloader = torch.utils.data.DataLoader(
        _picture_set(torch, images[:15], labels[:15]), batch_size=4
    )
    test_dataloader = torch.utils.data.DataLoader(
        _picture_set(torch, images[15:], labels[15:]), batch_size=4
    )
    model = _classifier(torch, final_relu=False).double()
    seen = {"start": start_from(torch, model, start), "train": [], "test": []}
    learning_rate, batch_size = 0.1, 4
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for _ in range(epochs):
        model.train()
        for batch, (X, y) in enumerate(train_dataloader):
            loss = loss_fn(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            seen["train"].append((loss.item(), batch * batch_size + len(X)))
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in test_dataloader:
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        seen["test"].append((test_loss / len(test_dataloader), correct))
    seen["end"] = state_of(model)
    return seen


def test_optimization_loop():
    run_both(_walk_optimization, **TRAINING)


def _walk_tensorqs(torch):
    """Follows pytorch/tutorials beginner_source/basics/tensorqs_tutorial.py."""
    seen = {}
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    x_np = torch.from_numpy(np.array(data))
    seen["from data"] = (x_data, x_np)
    seen["ones_like"] = shown(torch.ones_like(x_data))
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    seen["rand_like"] = (tuple(x_rand.shape), dtype_name(x_rand.dtype))
    shape = (2, 3)
    made = [torch.rand(shape), torch.ones(shape), torch.zeros(shape)]
    seen["by shape"] = [(tuple(t.shape), dtype_name(t.dtype)) for t in made] + made[1:]
    tensor = torch.rand(3, 4)
    seen["attributes"] = (tuple(tensor.shape), dtype_name(tensor.dtype), str(tensor.device))
    if torch.cuda.is_available() & (torch.device("cuda").index is not None):
        tensor = tensor.to("cuda")
    tensor = torch.ones(4, 4)
    seen["index"] = (tensor[0], tensor[:, 0], tensor[..., -1])
    tensor[:, 1] = 0
    seen["cat"] = torch.cat([tensor, tensor, tensor], dim=1)
    tensor = tensor * torch.arange(1.0, 5.0)  # distinct values, so that products differ
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(tensor)
    torch.matmul(tensor, tensor.T, out=y3)
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    seen["products"] = (y1, y2, y3, z1, z2, z3)
    agg_item = tensor.sum().item()
    seen["item"] = (agg_item, type(agg_item).__name__)
    tensor.add_(5)
    seen["add_"] = tensor
    t = torch.ones(5)
    n = t.numpy()
    t.add_(1)
    seen["t -> n"] = n.copy()
    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    seen["n -> t"] = t.clone()
    return seen


def test_tensorqs():
    ours, _ = run_both(_walk_tensorqs)
    assert ours["t -> n"].tolist() == [2.0] * 5


def _walk_data_and_transforms(torch):
    """Follows pytorch/tutorials beginner_source/basics/data_tutorial.py (a custom
    ``Dataset``, a random sample index, a shuffled ``DataLoader``) and transforms_tutorial.py
    (a one-hot ``target_transform`` made with ``scatter_``, positional and keyword)."""
    images, labels = _pictures(seed=11, count=10)
    training_data = _picture_set(torch, images, labels)
    sample_idx = torch.randint(len(training_data), size=(1,)).item()
    img, label = training_data[sample_idx]
    seen = {"sample": (type(sample_idx).__name__, 0 <= sample_idx < 10, tuple(img.squeeze().shape))}
    loader = torch.utils.data.DataLoader(training_data, batch_size=4, shuffle=True)
    features, batch_labels = next(iter(loader))
    seen["batch"] = (tuple(features.size()), tuple(batch_labels.size()))
    seen["squeezed"] = (tuple(features[0].squeeze().shape), type(batch_labels[0].item()).__name__)

    def one_hot(y):
        return torch.zeros(8, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)

    def one_hot_by_keyword(y):
        return torch.zeros(8, dtype=torch.float).scatter_(dim=0, index=torch.tensor(y), value=1)

    for name, target_transform in [("positional", one_hot), ("keyword", one_hot_by_keyword)]:
        ds = _picture_set(torch, images, labels, lambda t: t * 2 - 1, target_transform)
        seen[name] = [ds[i][1] for i in range(3)] + [ds[0][0]]
    return seen


def test_data_and_transforms():
    run_both(_walk_data_and_transforms)


def _walk_buildmodel(torch, images, start=None):
    """Follows pytorch/tutorials beginner_source/basics/buildmodel_tutorial.py."""
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = _classifier(torch).to(device)
    seen = {"start": start_from(torch, model, start), "repr": repr(model)}
    X = tensors(torch, images[:1])
    logits = model(X)
    pred_probab = torch.nn.Softmax(dim=1)(logits)
    seen["predicted"] = (pred_probab, pred_probab.argmax(1))
    input_image = tensors(torch, images)
    flatten = torch.nn.Flatten()
    flat_image = flatten(input_image)
    layer1 = torch.nn.Linear(in_features=28 * 28, out_features=20)
    layer2 = torch.nn.Linear(20, 10)
    for layer in (layer1, layer2):  # the same weights in both runs: copy model's first ones
        with torch.no_grad():
            layer.weight.copy_(
                model.linear_relu_stack[0].weight[: layer.out_features, : layer.in_features]
            )
            layer.bias.zero_()
    hidden1 = layer1(flat_image)
    seen["sizes"] = [tuple(t.size()) for t in (input_image, flat_image, hidden1)]
    seen["relu"] = torch.nn.ReLU()(hidden1)
    seq_modules = torch.nn.Sequential(flatten, layer1, torch.nn.ReLU(), layer2)
    softmax = torch.nn.Softmax(dim=1)
    seen["sequential"] = softmax(seq_modules(input_image))
    seen["named"] = [(n, tuple(p.size()), p[:2]) for n, p in model.named_parameters()]
    return seen


def test_buildmodel():
    images = np.random.default_rng(4).random((3, 28, 28), dtype=np.float32)
    run_both(_walk_buildmodel, images, rtol=1e-5, atol=1e-5)


def _walk_autogradqs(torch, w_np, b_np):
    """Follows pytorch/tutorials beginner_source/basics/autogradqs_tutorial.py."""
    x, y = torch.ones(5), torch.zeros(3)
    w, b = tensors(torch, w_np, b_np, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    seen = {"nodes": (node_name(z.grad_fn), loss.grad_fn is not None)}
    loss.backward()
    seen["grads"] = (w.grad, b.grad)
    z = torch.matmul(x, w) + b
    seen["requires_grad"] = [z.requires_grad]
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    seen["requires_grad"].append(z.requires_grad)
    z = torch.matmul(x, w) + b
    seen["requires_grad"].append(z.detach().requires_grad)
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    calls = []
    out.backward(torch.ones_like(out), retain_graph=True)
    calls.append(shown(inp.grad))
    out.backward(torch.ones_like(out), retain_graph=True)
    calls.append(shown(inp.grad))
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    calls.append(shown(inp.grad))
    seen["accumulation"] = calls
    return seen


def test_autogradqs():
    rng = np.random.default_rng(8)
    w, b = rng.standard_normal((5, 3), np.float32), rng.standard_normal(3, np.float32)
    run_both(_walk_autogradqs, w, b, rtol=1e-5, atol=1e-5)


def _walk_saveloadrun(torch, folder, start=None):
    """Follows pytorch/tutorials beginner_source/basics/saveloadrun_tutorial.py, with a
    small ``Sequential`` standing in for torchvision's VGG16."""

    def make():
        nn = torch.nn
        return nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(64, 5))

    model = make()
    seen = {"start": start_from(torch, model, start)}
    weights = folder / f"{torch.__name__}-weights.pth"
    torch.save(model.state_dict(), weights)
    model = make()
    model.load_state_dict(torch.load(weights, weights_only=True))
    model.eval()
    image = torch.from_numpy(np.linspace(-1, 1, 3 * 6 * 6, dtype=np.float32).reshape(1, 3, 6, 6))
    seen["weights"] = model(image)
    whole = folder / f"{torch.__name__}-model.pth"
    torch.save(model, whole)
    model = torch.load(whole, weights_only=False)
    seen["model"] = (type(model).__name__, model(image))
    return seen


def test_saveloadrun(tmp_path):
    run_both(_walk_saveloadrun, tmp_path, rtol=1e-5, atol=1e-5)
