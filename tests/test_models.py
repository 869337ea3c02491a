"""dlkit.torch.models: the MLP's structure, shapes, errors, and that it learns; chapter 10's architectures.

The CNN tests check output shapes, parameter counts against hand-computed
numbers, the multiplies of the notes' Inception example and of depthwise
separable convolutions, the residual blocks against a functional reference
written with torch.nn.functional, skip against plain, and that a small ResNet learns.
"""

from fractions import Fraction

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from dlkit.data import load_spirals  # noqa: E402
from dlkit.torch.models import (  # noqa: E402
    MLP, VGG, VGG16, VGG19, ConvolutionalBlock, DepthwiseSeparableConv, IdentityBlock, InceptionBlock, LeNet5, ResNet,
    accuracy, count_parameters, freeze, layer_table, replace_head, vgg_block,
)
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402


def test_structure_and_parameter_count():
    model = MLP([4, 8, 3], batch_norm=True, dropout=0.2)
    kinds = [type(m).__name__ for m in model.layers]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    assert count_parameters(model) == (4 * 8 + 8) + 2 * 8 + (8 * 3 + 3)
    assert model(torch.zeros(5, 4)).shape == (5, 3)
    with pytest.raises(ValueError, match=r"x has shape \(5, 3\), expected \(m, 4\)"):
        model(torch.zeros(5, 3))
    with pytest.raises(ValueError, match="dropout is 1.0"):
        MLP([4, 3], dropout=1.0)


def test_mlp_learns_the_spirals():
    X, Y = load_spirals(m=300)
    x, y = torch.tensor(X.T, dtype=torch.float32), torch.tensor(Y[0])
    torch.manual_seed(0)
    model = MLP([2, 64, 3])
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(300):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64)
    assert accuracy(model, loader) > 0.95 and model.training


def test_replace_head_freezes_the_body_and_trains_only_the_new_head():
    torch.manual_seed(0)
    model = MLP([4, 8, 6, 3])
    body = [p.detach().clone() for p in model.layers[:-1].parameters()]
    assert replace_head(model, 2) is model
    assert model.layers[-1].out_features == 2 and model.layers[-1].in_features == 6
    assert count_parameters(model) == 6 * 2 + 2                      # only the head trains
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
    x, y = torch.randn(16, 4), torch.randint(0, 2, (16,))
    head_before = model.layers[-1].weight.detach().clone()
    for _ in range(5):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    for before, after in zip(body, model.layers[:-1].parameters()):
        assert torch.equal(before, after) and after.grad is None      # no gradient reached the body
    assert not torch.equal(head_before, model.layers[-1].weight)
    freeze(model, frozen=False)
    assert count_parameters(model) == (4 * 8 + 8) + (8 * 6 + 6) + (6 * 2 + 2)


def test_replace_head_without_freezing_and_bad_input():
    model = replace_head(MLP([4, 8, 3]), 5, freeze_body=False)
    assert count_parameters(model) == (4 * 8 + 8) + (8 * 5 + 5)
    with pytest.raises(ValueError, match="n_out is 0"):
        replace_head(model, 0)
    with pytest.raises(ValueError, match="expected a network like MLP or ResNet"):
        replace_head(nn.Linear(3, 2), 2)


# --- chapter 10 -------------------------------------------------------------------------------

def test_lenet5_layer_table_by_hand():
    """Parameters (f*f*n_C_prev + 1) n_C and (n_in + 1) n_out; multiplies n_H' n_W' n_C * f*f*n_C_prev, n_in n_out."""
    model = LeNet5()
    rows = layer_table(model, (1, 32, 32))
    assert [r.name for r in rows] == ["conv1", "pool1", "conv2", "pool2", "fc1", "fc2", "fc3"]
    assert [r.kind for r in rows] == ["Conv2d", "AvgPool2d", "Conv2d", "AvgPool2d", "Linear", "Linear", "Linear"]
    assert [r.output_shape for r in rows] == [(6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (120,), (84,), (10,)]
    assert [r.parameters for r in rows] == [156, 0, 2416, 0, 48120, 10164, 850]
    assert sum(r.parameters for r in rows) == count_parameters(model) == 61706
    assert [r.multiplies for r in rows] == [117600, 0, 240000, 0, 48000, 10080, 840]
    assert model.training                                             # layer_table restores the mode
    assert model(torch.zeros(3, 1, 32, 32)).shape == (3, 10)
    assert isinstance(LeNet5(pooling="max").pool2, nn.MaxPool2d) and isinstance(model.activation, nn.Tanh)
    assert count_parameters(LeNet5(n_classes=2, in_channels=3)) == 61706 + 2 * 25 * 6 - 8 * (84 + 1)
    with pytest.raises(ValueError, match=r"x has shape \(3, 1, 28, 28\), expected \(m, 1, 32, 32\)"):
        model(torch.zeros(3, 1, 28, 28))
    with pytest.raises(ValueError, match="pooling is 'min', expected one of"):
        LeNet5(pooling="min")


def _vgg_count(config, n_classes=1000):
    """Parameters of a VGG by hand: (9 n_C_prev + 1) n_C per 3x3 conv, then 7*7*512 -> 4096 -> 4096 -> n_classes."""
    total, prev = 0, 3
    for channels, n_convs in config:
        for _ in range(n_convs):
            total, prev = total + (9 * prev + 1) * channels, channels
    return total + (49 * prev + 1) * 4096 + (4096 + 1) * 4096 + (4096 + 1) * n_classes


def test_vgg16_and_vgg19_parameter_counts_on_the_meta_device():
    with torch.device("meta"):                   # no memory for the 138M parameters
        vgg16, vgg19 = VGG16(), VGG19()
    assert count_parameters(vgg16) == _vgg_count([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]) == 138_357_544
    assert count_parameters(vgg19) == _vgg_count([(64, 2), (128, 2), (256, 4), (512, 4), (512, 4)]) == 143_667_240
    convs = [sum(isinstance(m, nn.Conv2d) for m in net.modules()) for net in (vgg16, vgg19)]
    assert convs == [13, 16]                      # three more convolutions, not two (erratum of the notes)
    rows = layer_table(vgg16, (3, 224, 224))
    assert sum(r.parameters for r in rows) == 138_357_544
    assert [r.output_shape for r in rows if r.kind == "MaxPool2d"] == [(64, 112, 112), (128, 56, 56), (256, 28, 28),
                                                                      (512, 14, 14), (512, 7, 7)]
    assert rows[0] == ("features.block1.conv1", "Conv2d", (64, 224, 224), 1792, 224 * 224 * 64 * 27)
    assert rows[-1] == ("classifier.fc3", "Linear", (1000,), 4_097_000, 4_096_000)
    assert vgg16(torch.zeros(2, 3, 224, 224, device="meta")).shape == (2, 1000)
    with pytest.raises(ValueError, match=r"x has shape \(2, 3, 32, 32\), expected \(m, 3, 224, 224\)"):
        vgg16(torch.zeros(2, 3, 32, 32, device="meta"))
    with pytest.raises(ValueError, match="config is 'vgg11', expected one of"):
        VGG("vgg11")


def test_vgg_block_halves_the_size():
    block = vgg_block(3, 8, 2)
    assert [name for name, _ in block.named_children()] == ["conv1", "relu1", "conv2", "relu2", "pool"]
    assert block(torch.zeros(2, 3, 10, 12)).shape == (2, 8, 5, 6)
    assert count_parameters(block) == (27 + 1) * 8 + (72 + 1) * 8
    with pytest.raises(ValueError, match=r"x has shape \(2, 4, 10, 12\), expected \(m, 3, n_H, n_W\)"):
        block(torch.zeros(2, 4, 10, 12))


def test_the_notes_inception_cost_example():
    """28x28x192 -> 32 filters 5x5 "same": 120,422,400 multiplies; through a 1x1 bottleneck to 16: 12,443,648."""
    direct = layer_table(nn.Sequential(nn.Conv2d(192, 32, 5, padding=2)), (192, 28, 28))
    assert direct[0].output_shape == (32, 28, 28) and direct[0].multiplies == 28 * 28 * 32 * 5 * 5 * 192 == 120_422_400
    bottleneck = layer_table(nn.Sequential(nn.Conv2d(192, 16, 1), nn.Conv2d(16, 32, 5, padding=2)), (192, 28, 28))
    assert [r.multiplies for r in bottleneck] == [2_408_448, 10_035_200]
    assert sum(r.multiplies for r in bottleneck) == 12_443_648     # about a tenth


def test_inception_block_concatenates_the_branches():
    block = InceptionBlock(192, 64, 96, 128, 16, 32, 32)      # GoogLeNet's inception (3a)
    assert block(torch.zeros(1, 192, 28, 28)).shape == (1, 64 + 128 + 32 + 32, 28, 28)
    assert count_parameters(block) == (192 + 1) * 64 + (192 + 1) * 96 + (9 * 96 + 1) * 128 + (192 + 1) * 16 \
        + (25 * 16 + 1) * 32 + (192 + 1) * 32 == 163_696
    rows = layer_table(block, (192, 28, 28))
    five = [r.multiplies for r in rows if r.name.startswith("branch5x5")]
    assert five == [2_408_448, 10_035_200]                          # its 5x5 branch is the notes' example
    assert rows[-2] == ("branch_pool.0", "MaxPool2d", (192, 28, 28), 0, 0)     # a "same" pool
    x = torch.randn(2, 3, 5, 5)
    small = InceptionBlock(3, 1, 2, 2, 1, 1, 1)
    out = small(x)
    assert torch.equal(out[:, :1], small.branch1x1(x)) and torch.equal(out[:, 3:4], small.branch5x5(x))
    with pytest.raises(ValueError, match=r"x has shape \(2, 3, 5, 5\), expected \(m, 4, n_H, n_W\)"):
        InceptionBlock(4, 1, 2, 2, 1, 1, 1)(x)


@pytest.mark.parametrize("n_C, n_H, n_C_out, f, stride", [(3, 6, 5, 3, 1), (16, 14, 32, 5, 1), (8, 15, 12, 3, 2)])
def test_depthwise_separable_cost_ratio_is_1_over_n_C_out_plus_1_over_f_squared(n_C, n_H, n_C_out, f, stride):
    separable = layer_table(DepthwiseSeparableConv(n_C, n_C_out, f, stride), (n_C, n_H, n_H))
    plain = layer_table(nn.Sequential(nn.Conv2d(n_C, n_C_out, f, stride, padding=(f - 1) // 2)), (n_C, n_H, n_H))
    assert separable[-1].output_shape == plain[0].output_shape
    ratio = Fraction(sum(r.multiplies for r in separable), plain[0].multiplies)
    assert ratio == Fraction(1, n_C_out) + Fraction(1, f * f)
    assert count_parameters(DepthwiseSeparableConv(n_C, n_C_out, f, stride)) == f * f * n_C + n_C * n_C_out + n_C_out


def test_depthwise_separable_on_6x6x3_with_5_filters():
    """Same padding: a 3x3 conv costs 6*6*5 * 27 = 4,860 multiplies; depthwise 6*6*3 * 9 + pointwise 6*6*5 * 3 = 1,512.

    (The notes name MobileNet's split only in passing, 004:1027, without a worked example.)
    """
    rows = layer_table(DepthwiseSeparableConv(3, 5), (3, 6, 6))
    assert [(r.name, r.output_shape, r.multiplies) for r in rows] == [("depthwise", (3, 6, 6), 972),
                                                                      ("pointwise", (5, 6, 6), 540)]
    assert Fraction(972 + 540, 4860) == Fraction(1, 5) + Fraction(1, 9)


def test_depthwise_separable_is_a_conv_with_rank_one_filters():
    """Depthwise then pointwise is one conv whose filter o, channel c is pointwise[o, c] * depthwise[c]."""
    torch.manual_seed(0)
    block = DepthwiseSeparableConv(3, 4, f=5, stride=2).double()
    x = torch.randn(2, 3, 9, 9, dtype=torch.float64)
    weight = block.pointwise.weight[:, :, 0, 0, None, None] * block.depthwise.weight[None, :, 0]   # (4, 3, 5, 5)
    expected = F.conv2d(x, weight, block.pointwise.bias, stride=2, padding=2)
    assert torch.allclose(block(x), expected, rtol=1e-12, atol=1e-12) and expected.shape == (2, 4, 5, 5)
    with pytest.raises(ValueError, match="f is 4, expected an odd filter size"):
        DepthwiseSeparableConv(3, 4, f=4)
    with pytest.raises(ValueError, match=r"x has shape \(2, 3, 9, 9\), expected \(m, 2, n_H, n_W\)"):
        DepthwiseSeparableConv(2, 4)(x)


def _randomize(block, seed):
    """float64, with random BN scales and shifts (the default gamma = 1, beta = 0 would hide mistakes)."""
    torch.manual_seed(seed)
    block = block.double()
    with torch.no_grad():
        for m in block.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    return block


def _bn(z, bn):
    return F.batch_norm(z, None, None, bn.weight, bn.bias, training=True, eps=bn.eps)


def _main_path(block, x, f, stride=1):
    """conv 1x1 (stride) -> BN -> ReLU -> conv fxf same -> BN -> ReLU -> conv 1x1 -> BN, in torch.nn.functional."""
    a = torch.relu(_bn(F.conv2d(x, block.conv1.weight, stride=stride), block.bn1))
    a = torch.relu(_bn(F.conv2d(a, block.conv2.weight, padding=(f - 1) // 2), block.bn2))
    return _bn(F.conv2d(a, block.conv3.weight), block.bn3)


def test_identity_block_against_a_functional_reference():
    block = _randomize(IdentityBlock(8, 3, (4, 5, 8)), seed=1)
    x = torch.randn(4, 8, 7, 6, dtype=torch.float64)
    out = block(x)
    assert out.shape == x.shape
    assert torch.allclose(out, torch.relu(_main_path(block, x, 3) + x), rtol=1e-10, atol=1e-12)
    assert not any(m.bias is not None for m in block.modules() if isinstance(m, nn.Conv2d))
    assert count_parameters(block) == 8 * 4 + 2 * 4 + 9 * 4 * 5 + 2 * 5 + 5 * 8 + 2 * 8
    f5 = _randomize(IdentityBlock(6, 5, (2, 3, 6)), seed=2)
    x5 = torch.randn(3, 6, 9, 9, dtype=torch.float64)
    assert torch.allclose(f5(x5), torch.relu(_main_path(f5, x5, 5) + x5), rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match=r"x has shape \(4, 8, 7, 6\), expected \(m, 6, n_H, n_W\)"):
        f5(x)
    with pytest.raises(ValueError, match=r"expected F3 = channels = 8"):
        IdentityBlock(8, 3, (4, 4, 16))
    with pytest.raises(ValueError, match="expected three numbers of filters"):
        IdentityBlock(8, 3, (4, 8))


def test_identity_block_adds_the_shortcut_and_plain_leaves_it_out():
    block = _randomize(IdentityBlock(6, 3, (3, 3, 6)), seed=3)
    plain = IdentityBlock(6, 3, (3, 3, 6), skip=False).double()
    plain.load_state_dict(block.state_dict())                   # same parameters, same names
    assert count_parameters(plain) == count_parameters(block)
    x = torch.randn(4, 6, 5, 5, dtype=torch.float64)
    z = _main_path(block, x, 3)
    assert torch.allclose(block(x), torch.relu(z + x), rtol=1e-10, atol=1e-12)
    assert torch.allclose(plain(x), torch.relu(z), rtol=1e-10, atol=1e-12)
    with torch.no_grad():                                       # main path off: a[l+2] = ReLU(a[l])
        block.bn3.weight.zero_()
        block.bn3.bias.zero_()
    assert torch.equal(block(x), torch.relu(x))


def test_convolutional_block_projects_the_shortcut():
    block = _randomize(ConvolutionalBlock(4, 3, (2, 3, 8), stride=2), seed=4)
    x = torch.randn(3, 4, 9, 8, dtype=torch.float64)
    out = block(x)
    assert out.shape == (3, 8, 5, 4)                             # (9 - 1) // 2 + 1 = 5, (8 - 1) // 2 + 1 = 4
    shortcut = _bn(F.conv2d(x, block.shortcut_conv.weight, stride=2), block.shortcut_bn)
    assert torch.allclose(out, torch.relu(_main_path(block, x, 3, stride=2) + shortcut), rtol=1e-10, atol=1e-12)
    plain = ConvolutionalBlock(4, 3, (2, 3, 8), stride=2, skip=False).double()
    assert count_parameters(block) - count_parameters(plain) == 4 * 8 + 2 * 8      # the projection W_s and its BN
    plain.load_state_dict({k: v for k, v in block.state_dict().items() if not k.startswith("shortcut")})
    assert torch.allclose(plain(x), torch.relu(_main_path(block, x, 3, stride=2)), rtol=1e-10, atol=1e-12)
    with torch.no_grad():
        block.bn3.weight.zero_()
        block.bn3.bias.zero_()
    assert torch.allclose(block(x), torch.relu(shortcut), rtol=1e-10, atol=1e-12)
    one = ConvolutionalBlock(3, 5, (2, 2, 6), stride=1)
    assert one(torch.zeros(2, 3, 7, 7)).shape == (2, 6, 7, 7)
    with pytest.raises(ValueError, match=r"x has shape \(2, 4, 7, 7\), expected \(m, 3, n_H, n_W\)"):
        one(torch.zeros(2, 4, 7, 7))
    with pytest.raises(ValueError, match="stride is 0"):
        ConvolutionalBlock(3, 3, (2, 2, 6), stride=0)


def test_resnet_structure_and_the_plain_network():
    """By hand: stem 1*9*4 + 8 = 44; block 4 -> (2, 2, 8): 8+4 + 36+4 + 16+16 + shortcut 32+16 = 132;
    identity block: 16+4 + 36+4 + 16+16 = 92; FC 8*3 + 3 = 27."""
    model = ResNet(n_classes=3, in_channels=1, stem_channels=4, stages=[((2, 2, 8), 2, 1)])
    assert count_parameters(model) == 44 + 132 + 92 + 27 == 295
    plain = ResNet(n_classes=3, in_channels=1, stem_channels=4, stages=[((2, 2, 8), 2, 1)], skip=False)
    assert count_parameters(model) - count_parameters(plain) == 48
    assert [type(m).__name__ for m in model.layers] == ["Conv2d", "BatchNorm2d", "ReLU", "ConvolutionalBlock",
                                                        "IdentityBlock", "AdaptiveAvgPool2d", "Flatten", "Linear"]
    assert all(not m.skip for m in plain.modules() if isinstance(m, (IdentityBlock, ConvolutionalBlock)))
    deeper = ResNet(stages=[((4, 4, 8), 2, 1), ((4, 4, 16), 3, 2), ((8, 8, 16), 1, 2)])
    assert deeper(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    rows = layer_table(deeper, (1, 28, 28))
    assert [r.output_shape for r in rows if r.name.endswith("conv3")] == [(8, 28, 28)] * 2 + [(16, 14, 14)] * 3 \
        + [(16, 7, 7)]
    with pytest.raises(ValueError, match=r"x has shape \(2, 3, 28, 28\), expected \(m, 1, n_H, n_W\)"):
        deeper(torch.zeros(2, 3, 28, 28))


def test_resnet50_parameter_count():
    with torch.device("meta"):
        model = ResNet(1000, 3, 64, [((64, 64, 256), 3, 1), ((128, 128, 512), 4, 2), ((256, 256, 1024), 6, 2),
                                     ((512, 512, 2048), 3, 2)], stem_f=7, stem_stride=2, stem_pool=True)
    assert count_parameters(model) == 25_557_032                 # as torchvision's resnet50
    rows = layer_table(model, (3, 224, 224))
    assert sum(r.kind == "Conv2d" for r in rows) == 1 + 3 * (3 + 4 + 6 + 3) + 4 and rows[-1].output_shape == (1000,)
    assert [r.output_shape for r in rows[:2]] == [(64, 112, 112), (64, 56, 56)]


def _adam_steps(model, x, y, steps, lr=0.01):
    """The cross-entropy of each of ``steps`` Adam steps on the batch (x, y)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_a_small_resnet_learns_a_tiny_batch():
    torch.manual_seed(0)
    x, y = torch.randn(16, 1, 12, 12), torch.randint(0, 4, (16,))
    model = ResNet(n_classes=4, stem_channels=8, stages=[((4, 4, 8), 1, 1), ((4, 4, 16), 1, 2)])
    losses = _adam_steps(model, x, y, steps=30)
    assert losses[-1] < 0.5 * losses[0]


# --- chapter 9 --------------------------------------------------------------------------------

from dlkit.torch.models import SmallCNN  # noqa: E402


def test_small_cnn_structure_and_parameters_by_hand():
    """Parameters (9 n_C_prev + 1) n_C per conv 3x3, (n_in + 1) n_out per Linear; 28 -> 14 -> 7 after two pools."""
    model = SmallCNN()
    kinds = [type(m).__name__ for m in model.layers]
    assert kinds == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear"]
    convs = [m for m in model.layers if isinstance(m, nn.Conv2d)]
    assert all(c.kernel_size == (3, 3) and c.stride == (1, 1) and c.padding == (1, 1) for c in convs)
    assert all(p.kernel_size == 2 and p.stride == 2 for p in model.layers if isinstance(p, nn.MaxPool2d))
    assert count_parameters(model) == (9 * 1 + 1) * 8 + (9 * 8 + 1) * 16 + (16 * 7 * 7 + 1) * 64 + (64 + 1) * 10 \
        == 52_138
    rows = layer_table(model, (1, 28, 28))
    assert [r.output_shape for r in rows] == [(8, 28, 28), (8, 14, 14), (16, 14, 14), (16, 7, 7), (64,), (10,)]
    assert sum(r.parameters for r in rows) == 52_138
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    # three convolutions: 28 -> 14 -> 7 -> 3 (the pool rounds down), so fc1 sees 12 * 3 * 3 = 108 numbers
    other = SmallCNN(n_classes=5, in_channels=3, channels=(4, 6, 12), hidden=20)
    assert count_parameters(other) == (27 + 1) * 4 + (36 + 1) * 6 + (54 + 1) * 12 + (108 + 1) * 20 + (20 + 1) * 5 \
        == 3_279
    assert other(torch.zeros(2, 3, 28, 28)).shape == (2, 5)
    assert [r.output_shape for r in layer_table(SmallCNN(channels=(2, 3, 4, 5)), (1, 28, 28))][-3:] == [(5, 1, 1),
                                                                                                       (64,), (10,)]


def test_small_cnn_against_a_functional_reference():
    torch.manual_seed(0)
    model = SmallCNN(n_classes=4, in_channels=2, channels=(3, 5), hidden=7).double()
    x = torch.randn(6, 2, 28, 28, dtype=torch.float64)
    conv1, conv2, fc1, fc2 = (m for m in model.layers if isinstance(m, (nn.Conv2d, nn.Linear)))
    a = F.max_pool2d(torch.relu(F.conv2d(x, conv1.weight, conv1.bias, padding=1)), 2)     # (6, 3, 14, 14)
    a = F.max_pool2d(torch.relu(F.conv2d(a, conv2.weight, conv2.bias, padding=1)), 2)     # (6, 5, 7, 7)
    a = torch.relu(a.reshape(6, 5 * 7 * 7) @ fc1.weight.T + fc1.bias)
    assert torch.allclose(model(x), a @ fc2.weight.T + fc2.bias, rtol=1e-12, atol=1e-12)


def test_small_cnn_bad_input():
    with pytest.raises(ValueError, match=r"x has shape \(3, 1, 32, 32\), expected \(m, 1, 28, 28\)"):
        SmallCNN()(torch.zeros(3, 1, 32, 32))
    with pytest.raises(ValueError, match=r"x has shape \(3, 1, 28, 28\), expected \(m, 3, 28, 28\)"):
        SmallCNN(in_channels=3)(torch.zeros(3, 1, 28, 28))
    with pytest.raises(ValueError, match=r"channels is \(2, 2, 2, 2, 2\), expected one to four"):
        SmallCNN(channels=(2, 2, 2, 2, 2))
    with pytest.raises(ValueError, match=r"channels is \(\), expected one to four"):
        SmallCNN(channels=())
    with pytest.raises(ValueError, match="each entry of channels is 0"):
        SmallCNN(channels=(8, 0))
    with pytest.raises(ValueError, match="hidden is 0"):
        SmallCNN(hidden=0)


def test_small_cnn_learns_a_tiny_batch():
    torch.manual_seed(0)
    x, y = torch.randn(16, 1, 28, 28), torch.randint(0, 4, (16,))
    model = SmallCNN(n_classes=4)
    losses = _adam_steps(model, x, y, steps=30)
    assert losses[-1] < 0.25 * losses[0]
    assert (model(x).argmax(dim=1) == y).all()                       # it fits the 16 random labels
