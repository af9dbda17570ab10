"""The pytorch/examples scripts (mnist, time_sequence_prediction, vae, siamese_network),
walked with torch and with nnscratch on small NumPy data; the word language model has its
own file, ``torch_compat/test_scripts_wordlm.py``, and regression sits with the polynomials.

The models are the scripts' models, narrower and on smaller pictures, so that each walk
takes a fraction of a second. Dropout runs at p=0 in the compared training runs (its masks
are random draws); its train/eval behaviour is checked on its own. Training runs are in
float64 and compared to rtol 1e-10: a few optimizer steps carry each step's summation-order
rounding forward, far below what a wrong update rule would show (1e-3 or more).
"""

from __future__ import annotations

import random

import numpy as np
from script_pairs import dtype_name, run_both, start_from, state_of, tensors

TRAINING = {"rtol": 1e-10, "atol": 1e-10}  # float64, a few steps (module docstring)


def _digits(seed, n=12, side=12):
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, side, side)), rng.integers(0, 10, n)


def _mnist_net(torch, p1=0.25, p2=0.5):
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, 1)
            self.conv2 = nn.Conv2d(4, 8, 3, 1)
            self.dropout1 = nn.Dropout(p1)
            self.dropout2 = nn.Dropout(p2)
            self.fc1 = nn.Linear(128, 16)
            self.fc2 = nn.Linear(16, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = self.dropout1(F.max_pool2d(x, 2))
            x = torch.flatten(x, 1)
            x = self.dropout2(F.relu(self.fc1(x)))
            return F.log_softmax(self.fc2(x), dim=1)

    return Net()


def _walk_mnist(torch, folder, start=None, epochs=2):
    """Follows pytorch/examples mnist/main.py."""
    use_accel = torch.accelerator.is_available()
    torch.manual_seed(1)
    device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")
    images, labels = _digits(0)
    dataset1 = torch.utils.data.TensorDataset(*tensors(torch, images[:8], labels[:8]))
    dataset2 = torch.utils.data.TensorDataset(*tensors(torch, images[8:], labels[8:]))
    loader_kwargs = {"num_workers": 1, "pin_memory": True, "shuffle": False}
    train_loader = torch.utils.data.DataLoader(dataset1, batch_size=3, **loader_kwargs)
    test_loader = torch.utils.data.DataLoader(dataset2, batch_size=3)
    model = _mnist_net(torch, 0.0, 0.0).double().to(device)
    seen = {"start": start_from(torch, model, start), "train": [], "test": [], "lr": []}
    optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    for _ in range(epochs):
        model.train()
        for batch_idx, (data, target) in enumerate(train_loader):
            data, target = data.to(device), target.to(device)
            optimizer.zero_grad()
            loss = torch.nn.functional.nll_loss(model(data), target)
            loss.backward()
            optimizer.step()
            progress = (batch_idx * len(data), len(train_loader.dataset), len(train_loader))
            seen["train"].append((loss.item(), progress))
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for data, target in test_loader:
                output = model(data)
                test_loss += torch.nn.functional.nll_loss(output, target, reduction="sum").item()
                pred = output.argmax(dim=1, keepdim=True)
                correct += pred.eq(target.view_as(pred)).sum().item()
        seen["test"].append((test_loss / len(test_loader.dataset), correct))
        scheduler.step()
        seen["lr"].append((optimizer.param_groups[0]["lr"], scheduler.get_last_lr()))
    torch.save(model.state_dict(), folder / f"{torch.__name__}-mnist_cnn.pt")
    seen["saved"] = {k: v for k, v in torch.load(folder / f"{torch.__name__}-mnist_cnn.pt").items()}
    return seen


def test_mnist(tmp_path):
    ours, _ = run_both(_walk_mnist, tmp_path, **TRAINING)
    assert [lr for lr, _ in ours["lr"]] == [0.7, 0.7 * 0.7]


def test_mnist_dropout_is_random_in_train_mode_and_off_in_eval_mode():
    """The script's dropout rates (0.25, 0.5): in ``train()`` the output is a random draw,
    in ``eval()`` it is deterministic and equals torch's."""
    images, _ = _digits(1, n=4)

    def walk(torch, start=None):
        model = _mnist_net(torch).double()
        seen = {"start": start_from(torch, model, start)}
        x = tensors(torch, images)
        model.train()
        seen["train draws differ"] = not torch.equal(model(x), model(x))
        kept = model.dropout2(torch.ones(2000, dtype=torch.float64))
        seen["kept values"] = sorted({round(v, 12) for v in kept.tolist()})
        seen["kept fraction"] = round(float((kept > 0).double().mean()), 1)
        ones = torch.ones(2000, dtype=torch.float64)
        functional = torch.nn.functional.dropout(ones, p=0.5, training=True)
        seen["F.dropout"] = (
            sorted(set(functional.tolist())),
            torch.nn.functional.dropout(ones, 0.5, False),
        )
        model.eval()
        seen["eval"] = model(x)
        return seen

    ours, _ = run_both(walk)
    assert ours["kept values"] == [0.0, 2.0]


def _sequence_model(torch, hidden=6):
    nn = torch.nn

    class Sequence(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm1 = nn.LSTMCell(1, hidden)
            self.lstm2 = nn.LSTMCell(hidden, hidden)
            self.linear = nn.Linear(hidden, 1)

        def forward(self, input, future=0):
            outputs = []
            h_t, c_t, h_t2, c_t2 = (
                torch.zeros(input.size(0), hidden, dtype=torch.double) for _ in range(4)
            )
            for input_t in input.split(1, dim=1):
                h_t, c_t = self.lstm1(input_t, (h_t, c_t))
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                output = self.linear(h_t2)
                outputs += [output]
            for _ in range(future):
                h_t, c_t = self.lstm1(output, (h_t, c_t))
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                output = self.linear(h_t2)
                outputs += [output]
            return torch.cat(outputs, dim=1)

    return Sequence()


def _walk_time_sequence(torch, folder, start=None, steps=2, future=3):
    """Follows pytorch/examples time_sequence_prediction (generate_sine_wave.py, train.py)."""
    rng = np.random.default_rng(2)
    x = np.arange(12) + rng.integers(-16, 16, 6).reshape(6, 1)
    path = folder / f"{torch.__name__}-traindata.pt"
    with open(path, "wb") as f:
        torch.save(np.sin(x / 1.0 / 4).astype("float64"), f)
    np.random.seed(0)
    torch.manual_seed(0)
    data = torch.load(path, weights_only=False)
    input, target = torch.from_numpy(data[3:, :-1]), torch.from_numpy(data[3:, 1:])
    test_input, test_target = torch.from_numpy(data[:3, :-1]), torch.from_numpy(data[:3, 1:])
    seq = _sequence_model(torch)
    seq.double()
    seen = {"start": start_from(torch, seq, start), "closure": [], "test": []}
    criterion = torch.nn.MSELoss()
    optimizer = torch.optim.LBFGS(seq.parameters(), lr=0.8)
    for _ in range(steps):

        def closure():
            optimizer.zero_grad()
            loss = criterion(seq(input), target)
            seen["closure"].append(loss.item())
            loss.backward()
            return loss

        optimizer.step(closure)
        with torch.no_grad():
            pred = seq(test_input, future=future)
            loss = criterion(pred[:, :-future], test_target)
            seen["test"].append((loss.item(), pred.detach().numpy().shape))
    seen["end"] = state_of(seq)
    return seen


def test_time_sequence_prediction_lbfgs(tmp_path):
    # LBFGS divides by differences of gradients (its curvature pairs) and runs up to 20
    # evaluations a step: it amplifies rounding more than SGD, hence 1e-8.
    run_both(_walk_time_sequence, tmp_path, rtol=1e-8, atol=1e-8)


def _vae(torch, noise, pixels=36, hidden=12, latent=3):
    nn, F = torch.nn, torch.nn.functional

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(pixels, hidden)
            self.fc21 = nn.Linear(hidden, latent)
            self.fc22 = nn.Linear(hidden, latent)
            self.fc3 = nn.Linear(latent, hidden)
            self.fc4 = nn.Linear(hidden, pixels)
            self.drawn = []

        def encode(self, x):
            h1 = F.relu(self.fc1(x))
            return self.fc21(h1), self.fc22(h1)

        def reparameterize(self, mu, logvar):
            std = torch.exp(0.5 * logvar)
            eps = torch.randn_like(std)
            self.drawn.append((tuple(eps.shape), dtype_name(eps.dtype)))
            eps = torch.from_numpy(next(noise)[: len(std)])  # injected: draws can't match
            return mu + eps * std

        def decode(self, z):
            return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

        def forward(self, x):
            mu, logvar = self.encode(x.view(-1, pixels))
            return self.decode(self.reparameterize(mu, logvar)), mu, logvar

    return VAE()


def _walk_vae(torch, start=None, epochs=2, batch_size=4):
    """Follows pytorch/examples vae/main.py."""
    F = torch.nn.functional
    torch.manual_seed(1)
    device = torch.device("cpu")
    rng = np.random.default_rng(6)
    images = rng.random((10, 1, 6, 6))
    noise = iter([rng.standard_normal((batch_size, 3)) for _ in range(20)])
    kwargs = {"num_workers": 1, "pin_memory": True}
    dataset = torch.utils.data.TensorDataset(*tensors(torch, images, np.zeros(10)))
    train_loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, **kwargs)
    test_loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=False)
    model = _vae(torch, noise).double().to(device)
    seen = {"start": start_from(torch, model, start), "train": [], "test": []}
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def loss_function(recon_x, x, mu, logvar):
        bce = F.binary_cross_entropy(recon_x, x.view(-1, 36), reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return bce + kld

    for _ in range(epochs):
        model.train()
        train_loss = 0
        for _, (data, _) in enumerate(train_loader):
            data = data.to(device)
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
        seen["train"].append(train_loss / len(train_loader.dataset))
        model.eval()
        test_loss = 0
        with torch.no_grad():
            for i, (data, _) in enumerate(test_loader):
                recon_batch, mu, logvar = model(data)
                test_loss += loss_function(recon_batch, data, mu, logvar).item()
                if i == 0:
                    n = min(data.size(0), 8)
                    view = recon_batch.view(batch_size, 1, 6, 6)[:n]
                    seen["comparison"] = tuple(torch.cat([data[:n], view]).shape)
        seen["test"].append(test_loss / len(test_loader.dataset))
        with torch.no_grad():
            sample = model.decode(torch.randn(64, 3, dtype=torch.float64).to(device)).cpu()
            seen["sample"] = (tuple(sample.view(64, 1, 6, 6).shape), bool((sample > 0).all()))
    seen["drawn"] = model.drawn[:2]
    seen["end"] = state_of(model)
    return seen


def test_vae():
    run_both(_walk_vae, **TRAINING)


def _siamese(torch):
    nn = torch.nn

    class Backbone(nn.Module):  # stands in for torchvision's resnet18
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 4, kernel_size=3)
            self.relu = nn.ReLU(inplace=True)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(4, 1000)

    class SiameseNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.resnet = Backbone()
            self.resnet.conv1 = nn.Conv2d(
                1, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False
            )
            self.fc_in_features = self.resnet.fc.in_features
            self.resnet = torch.nn.Sequential(*(list(self.resnet.children())[:-1]))
            self.fc = nn.Sequential(
                nn.Linear(self.fc_in_features * 2, 8), nn.ReLU(inplace=True), nn.Linear(8, 1)
            )
            self.sigmoid = nn.Sigmoid()
            self.resnet.apply(self.init_weights)
            self.fc.apply(self.init_weights)

        def init_weights(self, m):
            if isinstance(m, nn.Linear):
                torch.nn.init.xavier_uniform_(m.weight)
                m.bias.data.fill_(0.01)

        def forward_once(self, x):
            output = self.resnet(x)
            return output.view(output.size()[0], -1)

        def forward(self, input1, input2):
            output = torch.cat((self.forward_once(input1), self.forward_once(input2)), 1)
            return self.sigmoid(self.fc(output))

    return SiameseNetwork()


def _pairs_dataset(torch, pictures, classes):
    class PairsOfDigits(torch.utils.data.Dataset):
        def __init__(self):
            super().__init__()
            self.data = torch.from_numpy(pictures).unsqueeze(1).clone()
            targets = np.array(torch.from_numpy(classes).clone(), dtype=None, copy=None)
            self.grouped = {i: np.where(targets == i)[0] for i in range(3)}

        def __len__(self):
            return self.data.shape[0]

        def __getitem__(self, index):
            first = random.randint(0, 2)
            image_1 = self.data[random.choice(self.grouped[first])].clone().float()
            second = first if index % 2 == 0 else (first + random.randint(1, 2)) % 3
            image_2 = self.data[random.choice(self.grouped[second])].clone().float()
            return image_1, image_2, torch.tensor(float(index % 2 == 0), dtype=torch.float)

    return PairsOfDigits()


def _walk_siamese(torch, start=None, epochs=2):
    """Follows pytorch/examples siamese_network/main.py (Python's ``random`` pairs the
    pictures, seeded the same for both runs)."""
    rng = np.random.default_rng(9)
    pictures, classes = rng.integers(0, 256, (12, 8, 8), np.uint8), np.arange(12) % 3
    model = _siamese(torch).double()
    biases = [m.bias.tolist() for m in model.fc if isinstance(m, torch.nn.Linear)]
    seen = {"biases": biases, "start": start_from(torch, model, start), "train": [], "test": []}
    seen["layout"] = (model.fc_in_features, [type(m).__name__ for m in model.resnet])
    state = random.getstate()
    random.seed(4)
    try:
        loader = torch.utils.data.DataLoader(_pairs_dataset(torch, pictures, classes), batch_size=4)
        batches = [[t.to(torch.float64) / 255 for t in batch] for batch in loader]
    finally:
        random.setstate(state)
    optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    criterion = torch.nn.BCELoss()
    for _ in range(epochs):
        model.train()
        for images_1, images_2, targets in batches:
            optimizer.zero_grad()
            loss = criterion(model(images_1, images_2).squeeze(), targets)
            loss.backward()
            optimizer.step()
            seen["train"].append(loss.item())
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for images_1, images_2, targets in batches:
                outputs = model(images_1, images_2).squeeze()
                test_loss += criterion(outputs, targets).sum().item()
                pred = torch.where(outputs > 0.5, 1, 0)
                correct += pred.eq(targets.view_as(pred)).sum().item()
        seen["test"].append((test_loss, correct))
        scheduler.step()
    with torch.no_grad():
        one, two = (model.forward_once(b) for b in batches[0][:2])
        F = torch.nn.functional
        seen["distances"] = (F.cosine_similarity(one, two), F.pairwise_distance(one, two))
    seen["end"] = state_of(model)
    return seen


def test_siamese_network():
    ours, _ = run_both(_walk_siamese, **TRAINING)
    fill = float(np.float32(0.01))  # filled in float32, then made float64 by .double()
    assert ours["biases"] == [[fill] * 8, [fill]]
