"""Idiomatic PyTorch modules for the chapters that train real models: batch-first layouts.

Unlike the twins in this package, which keep the notes' layouts (X is
(n_x, m), images (m, n_H, n_W, n_C)), these are ordinary ``nn.Module``s to use
with DataLoader and torch.optim: a dense batch is (m, n_x), one example per
row, and a batch of images is (m, n_C, n_H, n_W) (NCHW, PyTorch's layout).

Chapter 9's first CNN: :class:`SmallCNN`.  Chapter 10's architectures: :class:`LeNet5`, :func:`vgg_block` and
:class:`VGG` (:class:`VGG16`, :class:`VGG19`), the bottleneck residual blocks
:class:`IdentityBlock` and :class:`ConvolutionalBlock` and a :class:`ResNet`
built from them, :class:`InceptionBlock`, :class:`DepthwiseSeparableConv`
(MobileNet), and :func:`layer_table`, which lists a network's layers with
their output shapes, parameters and multiplies.  Chapter 11's detector:
:class:`TinyYOLO`.  Chapter 12's :class:`FaceEncoder` (triplet-loss
encodings) and :class:`StyleFeatures` (fixed random filters for style
transfer).  Chapter 13's character-level language model :class:`CharLM`
and :func:`generate`.  Chapter 15's :class:`AdditiveAttention` and the
encoder-decoder with attention :class:`DateTranslator`, trained by
:func:`train_translator`, decoded by :func:`translate`.  Chapter 14's
sentiment classifiers :class:`SentimentLSTM` (input from
:func:`encode_sentences`) and :class:`FastText`, trained by
:func:`train_text_classifier`, applied by :func:`predict_text_classifier`.
"""

from collections import OrderedDict, namedtuple

import numpy as np
import torch
from torch import nn

from dlkit._shapes import check_shape
from dlkit.data.dates import HUMAN_VOCAB, MACHINE_VOCAB
from dlkit.decoding import beam_search
from dlkit.numpy.rnn import _check_sampling
from dlkit.progress import print_cost
from dlkit.text import char_ngrams, hash_ngram, tokenize

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


class MLP(nn.Module):
    """A fully connected network: [Linear -> (BatchNorm1d) -> activation -> (Dropout)] x (L-1) -> Linear.

    layer_sizes: [n_x, n[1], ..., n[L]].  The last layer returns logits: pair
    it with nn.CrossEntropyLoss (softmax inside) for K classes, or
    nn.BCEWithLogitsLoss for one output.  batch_norm puts BatchNorm1d between
    each hidden Linear and its activation, as in the notes (z -> z_tilde -> a);
    dropout is the probability of *dropping* a unit (torch's convention,
    1 - keep_prob).  Input (m, n_x), output (m, n[L]).
    """

    def __init__(self, layer_sizes, activation="relu", batch_norm=False, dropout=0.0):
        super().__init__()
        if len(layer_sizes) < 2 or min(layer_sizes) < 1:
            raise ValueError(f"layer_sizes is {list(layer_sizes)}, expected at least two positive sizes")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation is {activation!r}, expected one of {sorted(ACTIVATIONS)}")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout is {dropout!r}, expected a drop probability in [0, 1)")
        layers = []
        for n_in, n_out in zip(layer_sizes[:-2], layer_sizes[1:-1]):
            layers.append(nn.Linear(n_in, n_out))
            if batch_norm:
                layers.append(nn.BatchNorm1d(n_out))
            layers.append(ACTIVATIONS[activation]())
            if dropout:
                layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(layer_sizes[-2], layer_sizes[-1]))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        if x.dim() != 2 or x.shape[1] != self.layers[0].in_features:
            raise ValueError(f"x has shape {tuple(x.shape)}, expected (m, {self.layers[0].in_features})")
        return self.layers(x)


def count_parameters(model):
    """The number of trainable numbers in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def accuracy(model, loader, device=None):
    """Fraction of correct argmax predictions of ``model`` (in eval mode) over a DataLoader of (x, y)."""
    was_training = model.training
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            correct += (model(x).argmax(dim=1) == y).sum().item()
            total += y.numel()
    model.train(was_training)
    return correct / total


def freeze(module, frozen=True):
    """Stop (frozen=True) or restart training ``module``'s parameters: set their requires_grad. Returns module.

    A frozen layer keeps its weights: the optimizer gets no gradient for them,
    and backprop stops below the lowest layer that still trains.
    """
    for p in module.parameters():
        p.requires_grad_(not frozen)
    return module


def replace_head(model, n_out, freeze_body=True):
    """Transfer learning: a new, randomly initialized last Linear layer with ``n_out`` outputs.

    model: a network whose ``layers`` is an nn.Sequential ending in nn.Linear
    (an ``MLP``, a ``ResNet``).  freeze_body=True freezes every earlier layer, so that
    training updates the head only (for a small new data set); freeze_body=
    False fine-tunes everything.  Changes model in place and returns it.
    """
    if not isinstance(getattr(model, "layers", None), nn.Sequential) or not isinstance(model.layers[-1], nn.Linear):
        raise ValueError(f"model is a {type(model).__name__} whose layers do not end in nn.Linear, "
                         "expected a network like MLP or ResNet: an nn.Sequential `layers` ending in nn.Linear")
    if n_out < 1:
        raise ValueError(f"n_out is {n_out!r}, expected a positive number of outputs")
    old = model.layers[-1]
    freeze(model, frozen=freeze_body)
    model.layers[-1] = nn.Linear(old.in_features, n_out).to(device=old.weight.device, dtype=old.weight.dtype)
    return model


# --- Chapter 10: CNN architectures -------------------------------------------------------------

POOLS = {"average": nn.AvgPool2d, "max": nn.MaxPool2d}


def _check_size(name, value, odd=False):
    """A positive int (an odd one for a filter with "same" padding (f - 1) / 2)."""
    if not (isinstance(value, int) and value >= 1 and (value % 2 == 1 or not odd)):
        kind = "an odd filter size, so that the padding (f - 1) / 2 keeps the size" if odd else "a positive int"
        raise ValueError(f"{name} is {value!r}, expected {kind}")


def _check_channels_28(channels):
    """One to four positive filter counts, each block's max pool halving a 28 x 28 input."""
    if not 1 <= len(channels) <= 4:
        raise ValueError(f"channels is {tuple(channels)!r}, expected one to four numbers of filters: "
                         "each max pool halves 28 x 28 (28 -> 14 -> 7 -> 3 -> 1)")
    for n_C in channels:
        _check_size("each entry of channels", n_C)


class LeNet5(nn.Module):
    """LeNet-5 (LeCun et al., 1998): CONV -> POOL -> CONV -> POOL -> FC -> FC -> output.

    x: (m, in_channels, 32, 32) -> logits (m, n_classes).  Shapes of one
    example: conv1 5x5, 6 filters (6, 28, 28) -> pool1 2x2, stride 2
    (6, 14, 14) -> conv2 5x5, 16 filters (16, 10, 10) -> pool2 (16, 5, 5) ->
    flatten 400 -> fc1 120 -> fc2 84 -> fc3 n_classes.  ``activation`` follows
    every convolution and hidden FC layer: "tanh" as in the original, or
    "relu", "sigmoid".  ``pooling``: "average" as in the original, or "max",
    the modern choice the notes mention.  With one input channel and 10
    classes it has 61,706 parameters: conv1 156, conv2 2,416, fc1 48,120, fc2
    10,164, fc3 850.  (The original connected each conv2 filter to only some
    of the 6 maps, 1,516 parameters, and gave its pooling layers trainable
    coefficients; here, as in today's versions, every filter sees every map
    and pooling has no parameters.)
    """

    def __init__(self, n_classes=10, in_channels=1, activation="tanh", pooling="average"):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation is {activation!r}, expected one of {sorted(ACTIVATIONS)}")
        if pooling not in POOLS:
            raise ValueError(f"pooling is {pooling!r}, expected one of {sorted(POOLS)}")
        _check_size("n_classes", n_classes)
        _check_size("in_channels", in_channels)
        self.in_channels = in_channels
        self.conv1 = nn.Conv2d(in_channels, 6, 5)
        self.pool1 = POOLS[pooling](2, stride=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.pool2 = POOLS[pooling](2, stride=2)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, n_classes)
        self.activation = ACTIVATIONS[activation]()

    def forward(self, x):
        check_shape("x", x, ("m", self.in_channels, 32, 32))
        g = self.activation
        x = self.pool1(g(self.conv1(x)))          # (m, 6, 14, 14)
        x = self.pool2(g(self.conv2(x)))          # (m, 16, 5, 5)
        x = torch.flatten(x, 1)                   # (m, 400)
        return self.fc3(g(self.fc2(g(self.fc1(x)))))


class _VGGBlock(nn.Sequential):
    """An nn.Sequential that checks the channels of its input first."""

    def forward(self, x):
        check_shape("x", x, ("m", self.conv1.in_channels, "n_H", "n_W"))
        return super().forward(x)


def vgg_block(in_channels, out_channels, n_convs):
    """VGG's building block: n_convs x [conv 3x3, stride 1, "same" -> ReLU], then max pool 2x2, stride 2.

    (m, in_channels, n_H, n_W) -> (m, out_channels, n_H // 2, n_W // 2).  An
    nn.Sequential whose layers are named conv1, relu1, ..., pool.
    """
    for name, value in (("in_channels", in_channels), ("out_channels", out_channels), ("n_convs", n_convs)):
        _check_size(name, value)
    layers = OrderedDict()
    for k in range(1, n_convs + 1):
        layers[f"conv{k}"] = nn.Conv2d(in_channels if k == 1 else out_channels, out_channels, 3, padding=1)
        layers[f"relu{k}"] = nn.ReLU()
    layers["pool"] = nn.MaxPool2d(2, stride=2)
    return _VGGBlock(layers)


# (out_channels, n_convs) of each block.  VGG-19 has three more convolutions than VGG-16 (16 against
# 13: one more in each of blocks 3, 4 and 5), not two as one of the notes says.
VGG_CONFIGS = {
    "vgg16": ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)),
    "vgg19": ((64, 2), (128, 2), (256, 4), (512, 4), (512, 4)),
}


class VGG(nn.Module):
    """VGG (Simonyan and Zisserman, 2014): five :func:`vgg_block`s, then FC 4096 -> FC 4096 -> FC n_classes.

    config: a name of ``VGG_CONFIGS`` ("vgg16", "vgg19") or a sequence of
    five (out_channels, n_convs), one per block.  x: (m, in_channels, 224,
    224) -> (m, 512, 7, 7) after the blocks (five halvings) -> flatten 25,088
    -> logits (m, n_classes).  The hidden FC layers have ReLU, then dropout
    with drop probability ``dropout`` (0.5 in the paper).  Most of the
    memory goes to the early convolutions' outputs, most of the parameters
    to the FC layers.  Build it on the meta device to count without
    allocating: ``with torch.device("meta"): model = VGG16()``.
    """

    def __init__(self, config, n_classes=1000, in_channels=3, dropout=0.5):
        super().__init__()
        if isinstance(config, str):
            if config not in VGG_CONFIGS:
                raise ValueError(f"config is {config!r}, expected one of {sorted(VGG_CONFIGS)} "
                                 "or five (channels, n_convs)")
            config = VGG_CONFIGS[config]
        if len(config) != 5:
            raise ValueError(f"config has {len(config)} blocks, expected five (channels, n_convs): 224 / 2**5 = 7")
        _check_size("n_classes", n_classes)
        self.in_channels = in_channels
        blocks, channels = OrderedDict(), in_channels
        for k, (out_channels, n_convs) in enumerate(config, 1):
            blocks[f"block{k}"] = vgg_block(channels, out_channels, n_convs)
            channels = out_channels
        self.features = nn.Sequential(blocks)
        self.classifier = nn.Sequential(OrderedDict([
            ("fc1", nn.Linear(channels * 7 * 7, 4096)), ("relu1", nn.ReLU()), ("drop1", nn.Dropout(dropout)),
            ("fc2", nn.Linear(4096, 4096)), ("relu2", nn.ReLU()), ("drop2", nn.Dropout(dropout)),
            ("fc3", nn.Linear(4096, n_classes)),
        ]))

    def forward(self, x):
        check_shape("x", x, ("m", self.in_channels, 224, 224))
        return self.classifier(torch.flatten(self.features(x), 1))   # (m, C, 7, 7) -> (m, 49 C) -> (m, n_classes)


class VGG16(VGG):
    """VGG-16: 13 convolutions and 3 FC layers, 138,357,544 parameters for 1000 classes."""

    def __init__(self, n_classes=1000, in_channels=3, dropout=0.5):
        super().__init__("vgg16", n_classes, in_channels, dropout)


class VGG19(VGG):
    """VGG-19: 16 convolutions and 3 FC layers, 143,667,240 parameters for 1000 classes."""

    def __init__(self, n_classes=1000, in_channels=3, dropout=0.5):
        super().__init__("vgg19", n_classes, in_channels, dropout)


class _Bottleneck(nn.Module):
    """ResNet-50's bottleneck main path: conv 1x1 (stride) -> BN -> ReLU -> conv fxf -> BN -> ReLU -> conv 1x1 -> BN."""

    def __init__(self, in_channels, f, filters, stride, skip):
        super().__init__()
        if len(filters) != 3:
            raise ValueError(f"filters is {filters!r}, expected three numbers of filters (F1, F2, F3)")
        for name, value in zip(("in_channels", "F1", "F2", "F3", "stride"), (in_channels, *filters, stride)):
            _check_size(name, value)
        _check_size("f", f, odd=True)
        F1, F2, F3 = filters
        self.in_channels, self.skip = in_channels, skip
        # no biases: the BN after each convolution has its own shift beta
        self.conv1 = nn.Conv2d(in_channels, F1, 1, stride=stride, bias=False)
        self.bn1 = nn.BatchNorm2d(F1)
        self.conv2 = nn.Conv2d(F1, F2, f, padding=(f - 1) // 2, bias=False)
        self.bn2 = nn.BatchNorm2d(F2)
        self.conv3 = nn.Conv2d(F2, F3, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(F3)

    def main_path(self, x):
        check_shape("x", x, ("m", self.in_channels, "n_H", "n_W"))
        a = torch.relu(self.bn1(self.conv1(x)))
        a = torch.relu(self.bn2(self.conv2(a)))
        return self.bn3(self.conv3(a))           # z[l+2], before the last ReLU


class IdentityBlock(_Bottleneck):
    """ResNet-50's identity block: the bottleneck main path plus the input, a[l+2] = ReLU(z[l+2] + a[l]).

    Main path: conv 1x1 (F1 filters) -> BN -> ReLU -> conv fxf, "same" (F2)
    -> BN -> ReLU -> conv 1x1 (F3) -> BN, giving z[l+2]; the shortcut adds
    the input a[l] before the last ReLU.  The convolutions have no bias (each
    BN has its shift beta).  filters = (F1, F2, F3) with F3 = channels, so
    that the sum is defined; f odd.  skip=False leaves the addition out: the
    plain network's block, with the same parameters (the identity has none).
    x: (m, channels, n_H, n_W) -> (m, channels, n_H, n_W).  Layers: conv1,
    bn1, conv2, bn2, conv3, bn3.
    """

    def __init__(self, channels, f, filters, skip=True):
        super().__init__(channels, f, filters, 1, skip)
        if filters[2] != channels:
            raise ValueError(f"filters is {filters!r}, expected F3 = channels = {channels}: "
                             "the identity shortcut adds the input to the output")

    def forward(self, x):
        z = self.main_path(x)
        return torch.relu(z + x if self.skip else z)


class ConvolutionalBlock(_Bottleneck):
    """ResNet-50's convolutional (projection) block, for a change of size: a[l+2] = ReLU(z[l+2] + W_s a[l]).

    The main path is :class:`IdentityBlock`'s with ``stride`` on its first
    1x1 convolution (as in the ResNet paper; torchvision's "v1.5" strides the
    fxf convolution instead, with the same parameters).  The shortcut W_s
    a[l] is a learned projection: conv 1x1 with F3 filters and the same
    stride (shortcut_conv) -> BN (shortcut_bn), so both paths end with shape
    (m, F3, n_H', n_W'), n_H' = (n_H - 1) // stride + 1.  skip=False: the
    plain network's block, without the shortcut and its parameters.
    x: (m, in_channels, n_H, n_W) -> (m, F3, n_H', n_W').
    """

    def __init__(self, in_channels, f, filters, stride=2, skip=True):
        super().__init__(in_channels, f, filters, stride, skip)
        if skip:
            self.shortcut_conv = nn.Conv2d(in_channels, filters[2], 1, stride=stride, bias=False)
            self.shortcut_bn = nn.BatchNorm2d(filters[2])

    def forward(self, x):
        z = self.main_path(x)
        return torch.relu(z + self.shortcut_bn(self.shortcut_conv(x)) if self.skip else z)


class ResNet(nn.Module):
    """A residual network of bottleneck blocks: stem -> stages -> global average pooling -> Linear.

    stem: conv stem_f x stem_f, stride stem_stride, "same" padding,
    stem_channels filters, no bias -> BN -> ReLU (-> max pool 3x3, stride 2,
    padding 1 when stem_pool).  stages: a sequence of (filters, n_blocks,
    stride); each stage is one :class:`ConvolutionalBlock` with that stride
    followed by n_blocks - 1 :class:`IdentityBlock`s, all with fxf middle
    convolutions.  Then the mean of each channel over the image
    (AdaptiveAvgPool2d(1)), flattened, and a Linear layer to n_classes
    logits.  skip=False builds the plain network of the same depth (no
    additions, no projections).  The layers are one flat nn.Sequential,
    ``layers``.  x: (m, in_channels, n_H, n_W) -> (m, n_classes).

    The default is small, for 28 x 28 grey images.  ResNet-50 (25,557,032
    parameters) is ``ResNet(1000, 3, 64, [((64, 64, 256), 3, 1), ((128, 128,
    512), 4, 2), ((256, 256, 1024), 6, 2), ((512, 512, 2048), 3, 2)],
    stem_f=7, stem_stride=2, stem_pool=True)``.
    """

    def __init__(self, n_classes=10, in_channels=1, stem_channels=16, stages=(((8, 8, 32), 2, 1), ((16, 16, 64), 2, 2)),
                 f=3, skip=True, stem_f=3, stem_stride=1, stem_pool=False):
        super().__init__()
        for name, value in (("n_classes", n_classes), ("in_channels", in_channels), ("stem_channels", stem_channels),
                            ("stem_stride", stem_stride)):
            _check_size(name, value)
        _check_size("stem_f", stem_f, odd=True)
        if not stages:
            raise ValueError("stages is empty, expected at least one (filters, n_blocks, stride)")
        self.in_channels = in_channels
        layers = [nn.Conv2d(in_channels, stem_channels, stem_f, stride=stem_stride, padding=(stem_f - 1) // 2,
                            bias=False),
                  nn.BatchNorm2d(stem_channels), nn.ReLU()]
        if stem_pool:
            layers.append(nn.MaxPool2d(3, stride=2, padding=1))
        channels = stem_channels
        for filters, n_blocks, stride in stages:
            _check_size("n_blocks", n_blocks)
            layers.append(ConvolutionalBlock(channels, f, filters, stride, skip))
            channels = filters[2]
            layers += [IdentityBlock(channels, f, filters, skip) for _ in range(n_blocks - 1)]
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, n_classes)]
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        check_shape("x", x, ("m", self.in_channels, "n_H", "n_W"))
        return self.layers(x)


class InceptionBlock(nn.Module):
    """The Inception module (GoogLeNet): four branches side by side, concatenated on the channels.

    branch1x1: conv 1x1 (c1) -> ReLU; branch3x3: conv 1x1 (c3_reduce, the
    bottleneck) -> ReLU -> conv 3x3 "same" (c3) -> ReLU; branch5x5: conv 1x1
    (c5_reduce) -> ReLU -> conv 5x5 "same" (c5) -> ReLU; branch_pool: max
    pool 3x3, stride 1, "same" (padding 1) -> conv 1x1 (pool_proj) -> ReLU.
    Every branch keeps n_H x n_W, so x: (m, in_channels, n_H, n_W) ->
    (m, c1 + c3 + c5 + pool_proj, n_H, n_W).  The 1x1 reductions cut the
    cost: see :func:`layer_table`.
    """

    def __init__(self, in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj):
        super().__init__()
        for name, value in (("in_channels", in_channels), ("c1", c1), ("c3_reduce", c3_reduce), ("c3", c3),
                            ("c5_reduce", c5_reduce), ("c5", c5), ("pool_proj", pool_proj)):
            _check_size(name, value)
        self.in_channels = in_channels
        self.branch1x1 = nn.Sequential(nn.Conv2d(in_channels, c1, 1), nn.ReLU())
        self.branch3x3 = nn.Sequential(nn.Conv2d(in_channels, c3_reduce, 1), nn.ReLU(),
                                       nn.Conv2d(c3_reduce, c3, 3, padding=1), nn.ReLU())
        self.branch5x5 = nn.Sequential(nn.Conv2d(in_channels, c5_reduce, 1), nn.ReLU(),
                                       nn.Conv2d(c5_reduce, c5, 5, padding=2), nn.ReLU())
        self.branch_pool = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1),
                                         nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU())

    def forward(self, x):
        check_shape("x", x, ("m", self.in_channels, "n_H", "n_W"))
        branches = (self.branch1x1, self.branch3x3, self.branch5x5, self.branch_pool)
        return torch.cat([branch(x) for branch in branches], dim=1)


class DepthwiseSeparableConv(nn.Module):
    """MobileNet's replacement for a conv fxf: a depthwise conv, one fxf filter per channel, then a pointwise 1x1 conv.

    depthwise: Conv2d(n_C, n_C, f, stride, "same" padding (f - 1) / 2,
    groups=n_C, no bias), each channel filtered on its own; pointwise:
    Conv2d(n_C, n_C', 1), which mixes the channels.  Parameters
    f^2 n_C + n_C n_C' + n_C' against f^2 n_C n_C' + n_C' for the conv it
    replaces; multiplies n_H' n_W' (f^2 n_C + n_C n_C') against
    n_H' n_W' f^2 n_C n_C', a ratio of 1/n_C' + 1/f^2.
    x: (m, n_C, n_H, n_W) -> (m, n_C', n_H', n_W'), n_H' = (n_H - 1) // stride + 1.
    """

    def __init__(self, in_channels, out_channels, f=3, stride=1):
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels), ("stride", stride)):
            _check_size(name, value)
        _check_size("f", f, odd=True)
        self.in_channels = in_channels
        self.depthwise = nn.Conv2d(in_channels, in_channels, f, stride=stride, padding=(f - 1) // 2,
                                   groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1)

    def forward(self, x):
        check_shape("x", x, ("m", self.in_channels, "n_H", "n_W"))
        return self.pointwise(self.depthwise(x))


LayerRow = namedtuple("LayerRow", "name kind output_shape parameters multiplies")
TABLE_LAYERS = (nn.Conv2d, nn.Linear, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)


def _multiplies(module, out):
    """Multiplies of one example through a Conv2d or Linear layer (out: its output, batch of one)."""
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        return out[0].numel() * (module.in_channels // module.groups) * kh * kw
    if isinstance(module, nn.Linear):
        return out[0].numel() * module.in_features
    return 0


def layer_table(model, input_shape):
    """A row per Conv2d, Linear and pooling layer of ``model``, in the order the forward pass calls them.

    input_shape: one example's shape without the batch dimension, such as
    (n_C, n_H, n_W).  Each row is a :data:`LayerRow` (name, kind,
    output_shape, parameters, multiplies): the layer's name in
    ``model.named_modules()``, its class name, the shape of one example's
    output, its number of weights and biases, and the multiplies for one
    example:

    - Conv2d: n_H' n_W' n_C' (n_C / groups) f_H f_W, each output number
      being a dot product of a filter with (n_C / groups) f_H f_W inputs;
    - Linear: n_in n_out;
    - pooling: 0 (it compares or adds).

    Additions are not counted.  Other layers (batch norm, activations) get no
    row, so the rows' parameters add up to ``count_parameters(model)`` only
    for networks without such parameters (LeNet-5, VGG).  The pass runs a
    batch of one zero example on the model's device, in eval mode (restored
    after) and without gradients; on a model built on the meta device
    (``with torch.device("meta"): VGG16()``) it allocates no memory.

    >>> net = nn.Sequential(nn.Conv2d(192, 32, 5, padding=2))   # the notes' Inception example
    >>> layer_table(net, (192, 28, 28))
    [LayerRow(name='0', kind='Conv2d', output_shape=(32, 28, 28), parameters=153632, multiplies=120422400)]
    """
    if not (len(input_shape) >= 1 and all(isinstance(n, int) and n >= 1 for n in input_shape)):
        raise ValueError(f"input_shape is {input_shape!r}, expected one example's shape such as (n_C, n_H, n_W)")
    first = next(model.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    dtype = first.dtype if first is not None and first.is_floating_point() else torch.get_default_dtype()
    rows = []

    def record(name):
        def hook(module, inputs, out):
            rows.append(LayerRow(name, type(module).__name__, tuple(out.shape[1:]),
                                 sum(p.numel() for p in module.parameters()), _multiplies(module, out)))
        return hook

    hooks = [module.register_forward_hook(record(name))
             for name, module in model.named_modules() if isinstance(module, TABLE_LAYERS)]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros((1, *input_shape), device=device, dtype=dtype))
    finally:
        model.train(was_training)
        for h in hooks:
            h.remove()
    return rows


# --- Chapter 9: a first CNN --------------------------------------------------------------------

class SmallCNN(nn.Module):
    """A first CNN for 28 x 28 images: [CONV 3x3 "same" -> ReLU -> MAX POOL 2x2] per entry of channels -> FC -> FC.

    Each entry n_C of ``channels`` adds a conv 3x3, stride 1, padding 1 (the
    size stays) with n_C filters, a ReLU and a max pool 2x2, stride 2 (the
    size halves, rounded down: 28 -> 14 -> 7 -> 3 -> 1, so one to four
    entries).  Then flatten, a hidden Linear layer of ``hidden`` ReLU units
    and a Linear layer to n_classes logits.  The layers are one flat
    nn.Sequential, ``layers``: Conv2d, ReLU, MaxPool2d per entry, then
    Flatten, Linear, ReLU, Linear.  x: (m, in_channels, 28, 28) -> logits
    (m, n_classes).  The defaults have 52,138 parameters: conv1
    (9*1 + 1)*8 = 80, conv2 (9*8 + 1)*16 = 1,168, fc1 (16*7*7 + 1)*64 =
    50,240, fc2 (64 + 1)*10 = 650.
    """

    def __init__(self, n_classes=10, in_channels=1, channels=(8, 16), hidden=64):
        super().__init__()
        for name, value in (("n_classes", n_classes), ("in_channels", in_channels), ("hidden", hidden)):
            _check_size(name, value)
        _check_channels_28(channels)
        self.in_channels = in_channels
        layers, prev, size = [], in_channels, 28
        for n_C in channels:
            layers += [nn.Conv2d(prev, n_C, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, stride=2)]
            prev, size = n_C, size // 2
        layers += [nn.Flatten(), nn.Linear(prev * size * size, hidden), nn.ReLU(), nn.Linear(hidden, n_classes)]
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        check_shape("x", x, ("m", self.in_channels, 28, 28))
        return self.layers(x)                     # (m, C, 28, 28) -> ... -> (m, n_C, size, size) -> (m, n_classes)


# --- Chapter 11: object detection ---------------------------------------------------------------

class TinyYOLO(nn.Module):
    """A small fully convolutional YOLO detector: raw predictions for an S x S grid, A anchors, C classes.

    One block per entry n_C of ``channels``: conv 3x3 "same" (n_C filters, no
    bias) -> BatchNorm2d -> ReLU -> max pool; the first block pools by
    image_size / (S 2^(blocks - 1)), the others by 2, so the last block's maps
    are S x S (64 -> 16 -> 8 -> 4 by default; pooling early keeps the
    convolutions cheap, and trained better here than pooling 2, 2, 4).  A
    conv 1x1 then gives A (5 + C) numbers per cell, for each anchor [p_c,
    b_x, b_y, b_h, b_w, c_1 .. c_C] before activation: the convolutional
    sliding windows of the notes, cell (i, j) seeing a window of the image
    around it.  x: (m, 3, image_size, image_size) float32 -> raw (m, S, S,
    A, 5 + C); :func:`dlkit.torch.detection.yolo_activate` turns it into an
    output for :func:`~dlkit.torch.detection.yolo_eval`, and
    :func:`~dlkit.torch.detection.yolo_loss` trains it.

    Recipe, measured: ``data = load_shapes(m=1000, seed=0)``, images
    ``torch.tensor(data.images, dtype=torch.float32).permute(0, 3, 1, 2)``,
    targets ``data.Y[:, :, :, None, :]`` as float32; ``torch.manual_seed(0)``,
    ``TinyYOLO()``, ``torch.optim.Adam(model.parameters(), lr=5e-3)``; 4
    epochs of mini-batches of 32 (one ``g = torch.Generator().manual_seed(0)``
    before the loop, then ``torch.randperm(1000, generator=g).split(32)``:
    a new order each epoch),
    loss ``yolo_loss(model(x), y)``.  Test: in eval mode, yolo_activate on
    ``load_shapes(m=1000, seed=1)``, yolo_eval per image, then
    :func:`~dlkit.torch.detection.mean_average_precision`: mAP@0.5 = 0.95
    with score_threshold=0.1 and 0.84 with the default 0.6 (a high
    threshold cuts off the low-score end of the precision-recall curve);
    0.94 and 0.82 with one torch thread, whose sums round differently.
    Training took 65 s of wall time with 2 torch threads on a 2-core
    machine shared with other jobs (load average 7.6), and 10 s (4 s of
    CPU) with one thread there.
    """

    def __init__(self, n_classes=3, S=4, n_anchors=1, image_size=64, channels=(16, 32, 64)):
        super().__init__()
        for name, value in (("n_classes", n_classes), ("S", S), ("n_anchors", n_anchors),
                            ("image_size", image_size)):
            _check_size(name, value)
        if len(channels) < 1:
            raise ValueError(f"channels is {tuple(channels)!r}, expected at least one number of filters")
        for n_C in channels:
            _check_size("each entry of channels", n_C)
        halvings = 2 ** (len(channels) - 1)
        if image_size % (S * halvings):
            raise ValueError(f"image_size is {image_size}, expected a multiple of S * 2^(len(channels) - 1) = "
                             f"{S * halvings}, so that the blocks' pools bring it down to S = {S}")
        self.n_classes, self.S, self.n_anchors, self.image_size = n_classes, S, n_anchors, image_size
        layers, prev = [], 3
        for k, n_C in enumerate(channels):
            pool = image_size // (S * halvings) if k == 0 else 2
            layers += [nn.Conv2d(prev, n_C, 3, padding=1, bias=False), nn.BatchNorm2d(n_C), nn.ReLU(),
                       nn.MaxPool2d(pool)]
            prev = n_C
        self.features = nn.Sequential(*layers)
        self.head = nn.Conv2d(prev, n_anchors * (5 + n_classes), 1)

    def forward(self, x):
        check_shape("x", x, ("m", 3, self.image_size, self.image_size))
        out = self.head(self.features(x))                          # (m, A (5 + C), S, S)
        out = out.permute(0, 2, 3, 1)                              # (m, S, S, A (5 + C))
        return out.reshape(x.shape[0], self.S, self.S, self.n_anchors, 5 + self.n_classes)


# --- Chapter 12: face recognition --------------------------------------------------------------

class FaceEncoder(nn.Module):
    """A Siamese encoder f(x) for 28 x 28 images: CNN -> Linear -> BatchNorm1d -> L2 normalization, (m, d) rows.

    Each entry n_C of ``channels`` adds conv 3x3 "same" (n_C filters, no bias)
    -> BatchNorm2d -> ReLU -> max pool 2x2, stride 2 (28 -> 14 -> 7 -> 3 -> 1,
    so one to four entries); then flatten, a Linear layer to d numbers, a
    BatchNorm1d(d) without learned scale and shift, and the division of each
    row by its L2 norm, so ||f(x)|| = 1 and distances lie in [0, 2].  The
    BatchNorm1d spreads the batch over all d directions: without it the
    encodings of a new network nearly coincide (distances about 0.2) and
    batch-hard triplet training shrinks them towards one point, where every
    triplet costs alpha.  x: (m, in_channels, 28, 28) -> (m, d).
    The layers are one nn.Sequential, ``layers``, before the normalization.

    Recipe (chapter 12): identities are Fashion-MNIST classes 0-6
    (``load_fashion_mnist(classes=range(7))``, 7,000 training images);
    ``torch.manual_seed(0)``, Adam with lr 3e-3, two epochs of shuffled
    batches of 64 (220 steps); on each batch ``a, p, n =
    all_triplets(labels)`` (every valid triplet of the batch) and the loss
    ``triplet_loss(enc[a], enc[p], enc[n], alpha=0.5) / len(a)``.  About
    8-10 s of CPU time with one torch thread.  Verification accuracy with the
    threshold that is best on 1,000 training pairs of classes 0-6 (seeds 0
    and 1): 0.81 and 0.82 on ``load_verification_pairs(split="test")``
    (raw-pixel L2 distance with its best training threshold: 0.70), and 0.72
    and 0.72 on 1,000 pairs of test images of the unseen classes 7-9 (raw
    pixels: 0.68).  Batch-hard mining (:func:`hardest_triplets`) from a fresh
    network, with alpha 0.2, did worse here: 0.76 and 0.67.
    """

    def __init__(self, d=32, in_channels=1, channels=(16, 32, 64)):
        super().__init__()
        for name, value in (("d", d), ("in_channels", in_channels)):
            _check_size(name, value)
        _check_channels_28(channels)
        self.in_channels = in_channels
        layers, prev, size = [], in_channels, 28
        for n_C in channels:
            # no conv bias: the BatchNorm2d after it has its own shift
            layers += [nn.Conv2d(prev, n_C, 3, padding=1, bias=False), nn.BatchNorm2d(n_C), nn.ReLU(),
                       nn.MaxPool2d(2, stride=2)]
            prev, size = n_C, size // 2
        layers += [nn.Flatten(), nn.Linear(prev * size * size, d), nn.BatchNorm1d(d, affine=False)]
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        check_shape("x", x, ("m", self.in_channels, 28, 28))
        z = self.layers(x)                        # (m, C, 28, 28) -> ... -> (m, n_C, size, size) -> (m, d)
        return nn.functional.normalize(z, dim=1)  # each row divided by its L2 norm


# --- Chapter 12: features for neural style transfer ---------------------------------------------

class StyleFeatures(nn.Module):
    """A fixed VGG-like feature extractor for neural style transfer, with seeded RANDOM filters: nothing is trained.

    Gatys et al. use VGG-19 trained on ImageNet; no pretrained weights exist
    offline here, so the filters are drawn once from a seeded normal
    distribution and stay fixed (every parameter has requires_grad False).
    Random filters, many channels and several scales are known to capture
    texture statistics well enough for texture synthesis and style transfer
    (Ustyuzhaninov et al., 2017; He, Wang and Hopcroft, 2016); the results
    are rougher than with VGG-19.

    Block 1 is conv 3x3 "same" -> ReLU with channels[0] filters; block k > 1
    is average pool 2x2, stride 2 -> conv 3x3 "same" -> ReLU with
    channels[k-1] filters, so block k sees the image at 1/2^(k-1) of its size
    (units of blocks 1-4 see windows of 3, 8, 18 and 38 pixels).  The input,
    pixels in [0, 1], is centred first: (x - 0.5) / 0.25.  Weights: block 1
    N(0, 2 / (9 n_C_prev)) (He), so its Gram matrix, which includes the mean
    responses, carries the colours; in later blocks each filter has its mean
    over the 3x3 window removed (per input channel), so that it answers to
    patterns and not to the mean level of its nonnegative ReLU inputs, and
    variance 8 / (9 n_C_prev) before that, which keeps the activations' RMS
    about constant from block to block (blocks 1-4 on load_style_images'
    cat: 0.74, 0.46, 0.51, 0.47).  Biases are zero.

    forward(x): x (m, in_channels, n_H, n_W), NCHW -> a list of len(channels)
    activations, block k's permuted to NHWC (m, n_H / 2^(k-1), n_W / 2^(k-1),
    channels[k-1]) (sizes rounded down), the layout of
    :mod:`dlkit.torch.style_transfer`'s costs.
    """

    def __init__(self, channels=(32, 64, 128, 256), seed=0, in_channels=3):
        super().__init__()
        if len(channels) < 1:
            raise ValueError(f"channels is {tuple(channels)!r}, expected at least one number of filters")
        for name, value in (("in_channels", in_channels), *(("each entry of channels", c) for c in channels)):
            _check_size(name, value)
        self.in_channels = in_channels
        generator = torch.Generator().manual_seed(seed)
        blocks, prev = [], in_channels
        for k, n_C in enumerate(channels):
            conv = nn.Conv2d(prev, n_C, 3, padding=1)
            weight = torch.randn(conv.weight.shape, generator=generator)   # (n_C, prev, 3, 3)
            if k == 0:
                weight *= (2 / (9 * prev)) ** 0.5
            else:
                weight = (weight - weight.mean(dim=(2, 3), keepdim=True)) * (8 / (9 * prev)) ** 0.5
            with torch.no_grad():
                conv.weight.copy_(weight)
                conv.bias.zero_()
            layers = [conv, nn.ReLU()] if k == 0 else [nn.AvgPool2d(2, stride=2), conv, nn.ReLU()]
            blocks.append(nn.Sequential(*layers))
            prev = n_C
        self.blocks = nn.ModuleList(blocks)
        self.requires_grad_(False)

    def forward(self, x):
        smallest = 2 ** (len(self.blocks) - 1)
        check_shape("x", x, ("m", self.in_channels, "n_H", "n_W"))
        if min(x.shape[2:]) < smallest:
            raise ValueError(f"x has shape {tuple(x.shape)}, expected n_H and n_W >= {smallest}: "
                             f"{len(self.blocks) - 1} poolings halve them")
        x = (x - 0.5) / 0.25
        activations = []
        for block in self.blocks:
            x = block(x)
            activations.append(x.permute(0, 2, 3, 1))                # (m, n_C, n_H, n_W) -> (m, n_H, n_W, n_C)
        return activations


CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


class CharLM(nn.Module):
    """Chapter 13's character-level language model: one-hot characters -> recurrent layers -> logits.

    The input is one-hot (no embedding), as in the NumPy model of
    :mod:`dlkit.numpy.rnn`; an index of -1 stands for the all-zero vector, the
    notes' x<1> = 0 before the first character.  ``cell`` is "rnn" (tanh),
    "gru" or "lstm" (PyTorch's gate conventions: see :mod:`dlkit.numpy.rnn`).
    forward(X: (m, T) ints) -> logits (m, T, vocab_size), batch-first; the
    loss is F.cross_entropy(logits.reshape(-1, vocab_size), Y.reshape(-1)).
    :meth:`step` also takes and returns the recurrent state, for sampling.
    """

    def __init__(self, vocab_size, hidden_size=64, cell="rnn", num_layers=1):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell is {cell!r}, expected one of {sorted(CELLS)}")
        for name, value in (("vocab_size", vocab_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if int(value) < 1:
                raise ValueError(f"{name} is {value!r}, expected a positive integer")
        self.vocab_size, self.cell = int(vocab_size), cell
        self.rnn = CELLS[cell](self.vocab_size, int(hidden_size), num_layers=int(num_layers), batch_first=True)
        self.head = nn.Linear(int(hidden_size), self.vocab_size)

    def step(self, X, state=None):
        """(logits (m, T, vocab_size), the state after the last step) for X: (m, T) ints in [-1, vocab_size)."""
        check_shape("X", X, ("m", "T"))
        if X.is_floating_point() or X.numel() and (X.min() < -1 or X.max() >= self.vocab_size):
            raise ValueError(f"X must hold integer indices in [-1, {self.vocab_size}), got dtype {X.dtype}")
        X = X.long()
        one_hot = nn.functional.one_hot(X.clamp(min=0), self.vocab_size) * (X >= 0).unsqueeze(-1)   # (m, T, V)
        out, state = self.rnn(one_hot.to(self.head.weight.dtype), state)   # out: (m, T, hidden_size)
        return self.head(out), state

    def forward(self, X):
        return self.step(X)[0]


def generate(model, char_to_ix, ix_to_char, seed=0, temperature=1.0, max_length=50):
    """Sample a string from a :class:`CharLM`, drawing each character from softmax(logits / temperature).

    Starts from the zero input (index -1) and the zero state; draws with a
    torch.Generator seeded with ``seed`` (not the argmax); stops at the
    newline or after max_length characters.  Returns the string without the newline.
    """
    _check_sampling(char_to_ix, temperature, max_length)
    generator, newline = torch.Generator().manual_seed(seed), char_to_ix["\n"]
    device = next(model.parameters()).device
    X, state, chars = torch.full((1, 1), -1, device=device), None, []
    was_training = model.training
    model.eval()
    with torch.no_grad():
        while len(chars) < int(max_length):
            logits, state = model.step(X, state)
            probs = torch.softmax(logits[0, -1].double().cpu() / temperature, dim=0)
            idx = int(torch.multinomial(probs, 1, generator=generator))
            if idx == newline:
                break
            chars.append(ix_to_char[idx])
            X = torch.full((1, 1), idx, device=device)
    model.train(was_training)
    return "".join(chars)


# --- Chapter 15: sequence to sequence with attention --------------------------------------------

class AdditiveAttention(nn.Module):
    """Bahdanau's additive attention: a small dense net scores each input position against the decoder state.

    e<t,t'> = v^T tanh(W_a a<t'> + W_s s<t-1> + b), alpha<t,t'> = softmax over
    t' of e<t,t'> (positions where ``mask`` is False get -inf first, so
    weight 0), context<t> = sum_t' alpha<t,t'> a<t'>.  W_a: (n_e, n_a),
    W_s: (n_e, n_s), b: (n_e,) (the bias of ``W_s``), v: (n_e,).
    forward(a: (m, T_x, n_a), s_prev: (m, n_s), mask: (m, T_x) bool of
    valid inputs or None) -> (context (m, n_a), alphas (m, T_x)); each row
    of alphas sums to 1.
    """

    def __init__(self, n_a, n_s, n_e=10):
        super().__init__()
        for name, value in (("n_a", n_a), ("n_s", n_s), ("n_e", n_e)):
            _check_size(name, value)
        self.n_a, self.n_s = n_a, n_s
        self.W_a = nn.Linear(n_a, n_e, bias=False)
        self.W_s = nn.Linear(n_s, n_e)             # its bias is b
        self.v = nn.Linear(n_e, 1, bias=False)

    def forward(self, a, s_prev, mask=None):
        dims = check_shape("a", a, ("m", "T_x", self.n_a))
        check_shape("s_prev", s_prev, ("m", self.n_s), dims)
        hidden = torch.tanh(self.W_a(a) + self.W_s(s_prev).unsqueeze(1))   # (m, T_x, n_e)
        e = self.v(hidden).squeeze(2)                                        # (m, T_x, 1) -> (m, T_x)
        if mask is not None:
            check_shape("mask", mask, ("m", "T_x"), dims)
            if mask.dtype != torch.bool or not mask.any(dim=1).all():
                raise ValueError(f"mask must be bool with at least one True (valid input) per row, got dtype "
                                 f"{mask.dtype} and {int((~mask.bool()).all(dim=1).sum())} rows without one")
            e = e.masked_fill(~mask, float("-inf"))
        alphas = torch.softmax(e, dim=1)
        context = torch.bmm(alphas.unsqueeze(1), a).squeeze(1)    # (m, 1, T_x) @ (m, T_x, n_a) -> (m, n_a)
        return context, alphas


def _check_indices(name, X, high):
    """An integer tensor with values in [0, high)."""
    if X.is_floating_point() or X.is_complex() or X.dtype == torch.bool \
            or X.numel() and (X.min() < 0 or X.max() >= high):
        raise ValueError(f"{name} must hold integer indices in [0, {high}), got dtype {X.dtype}"
                         + (f" and values in [{int(X.min())}, {int(X.max())}]" if X.numel() else ""))


class DateTranslator(nn.Module):
    """An encoder-decoder with additive attention that translates ``dlkit.data.load_dates``' dates to ISO form.

    Encoder: nn.Embedding(n_x, embed, padding_idx=0) -> bidirectional
    nn.LSTM with n_a units per direction, run on the unpadded length of each
    input (packed), so a<t'> = [forward; backward] is (2 n_a,).  Decoder,
    one step t: context<t> from :class:`AdditiveAttention` (2 n_a, n_s, n_e)
    of the annotations a and the previous decoder state s<t-1>; an
    nn.LSTMCell(2 n_a + embed, n_s) takes [context<t>; embedding of
    y<t-1>] and gives s<t>; Linear(n_s, n_y) gives the logits of y<t>.  The
    token embedding has n_y + 1 rows: index n_y is the start token "<bos>"
    (y<0>).  Feeding y<t-1> back makes each output depend on the earlier
    ones, which is what beam search needs.  The output always has T_y = 10
    tokens (no end token).

    forward(X: (m, T_x) ints, Y: (m, T_y) ints or None) -> (logits
    (m, T_y, n_y), alphas (m, T_y, T_x)).  With Y, teacher forcing: y<t-1>
    is Y[:, t-1]; without, the model's own argmax (greedy), T_y = 10.
    X is right-padded with index 0 ("<pad>"); the mask X != 0 keeps the
    padding out of the attention.  Inputs may be tensors or NumPy arrays.

    Recipe: see :func:`train_translator`.
    """

    T_y = 10

    def __init__(self, n_x=len(HUMAN_VOCAB), n_y=len(MACHINE_VOCAB), n_a=32, n_s=64, n_e=10, embed=16):
        super().__init__()
        for name, value in (("n_x", n_x), ("n_y", n_y), ("n_a", n_a), ("n_s", n_s), ("n_e", n_e), ("embed", embed)):
            _check_size(name, value)
        self.n_x, self.n_y, self.n_a, self.n_s = n_x, n_y, n_a, n_s
        self.embedding = nn.Embedding(n_x, embed, padding_idx=0)
        self.encoder = nn.LSTM(embed, n_a, batch_first=True, bidirectional=True)
        self.attention = AdditiveAttention(2 * n_a, n_s, n_e)
        self.token_embedding = nn.Embedding(n_y + 1, embed)      # row n_y: "<bos>"
        self.decoder = nn.LSTMCell(2 * n_a + embed, n_s)
        self.output = nn.Linear(n_s, n_y)

    def _tensor(self, X):
        return torch.as_tensor(X, device=self.output.weight.device)

    def encode(self, X):
        """X: (m, T_x) ints -> (a (m, T_x, 2 n_a), mask (m, T_x) bool, (s0, c0) zeros (m, n_s)); a is 0 on padding."""
        X = self._tensor(X)
        check_shape("X", X, ("m", "T_x"))
        _check_indices("X", X, self.n_x)
        mask = X != 0
        if X.shape[1] == 0 or (~mask[:, 0]).any() or (mask[:, 1:] & ~mask[:, :-1]).any():
            raise ValueError("X must be right-padded: every row starts with a character (index != 0) and has "
                             "no padding (index 0) before a character")
        lengths = mask.sum(dim=1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(X), lengths, batch_first=True,
                                                   enforce_sorted=False)
        a, _ = nn.utils.rnn.pad_packed_sequence(self.encoder(packed)[0], batch_first=True,
                                                total_length=X.shape[1])   # (m, T_x, 2 n_a)
        s0 = a.new_zeros(X.shape[0], self.n_s)
        return a, mask, (s0, s0.clone())

    def decode_step(self, prev_tokens, state, a, mask):
        """One decoder step: (logits (m, n_y), new state (s, c), alphas (m, T_x)) from y<t-1>: (m,) ints and s<t-1>."""
        prev_tokens = self._tensor(prev_tokens)
        dims = check_shape("a", a, ("m", "T_x", 2 * self.n_a))
        check_shape("prev_tokens", prev_tokens, ("m",), dims)
        _check_indices("prev_tokens", prev_tokens, self.n_y + 1)
        s_prev, c_prev = state
        check_shape("s_prev", s_prev, ("m", self.n_s), dims)
        check_shape("c_prev", c_prev, ("m", self.n_s), dims)
        context, alphas = self.attention(a, s_prev, mask)                            # (m, 2 n_a), (m, T_x)
        x = torch.cat([context, self.token_embedding(prev_tokens)], dim=1)           # (m, 2 n_a + embed)
        s, c = self.decoder(x, (s_prev, c_prev))
        return self.output(s), (s, c), alphas

    def forward(self, X, Y=None):
        a, mask, state = self.encode(X)
        m = a.shape[0]
        if Y is not None:
            Y = self._tensor(Y)
            check_shape("Y", Y, (m, "T_y"))
            _check_indices("Y", Y, self.n_y)
        T_y = self.T_y if Y is None else Y.shape[1]
        prev = torch.full((m,), self.n_y, dtype=torch.long, device=a.device)           # y<0> = "<bos>"
        logits, alphas = [], []
        for t in range(T_y):
            out, state, alpha = self.decode_step(prev, state, a, mask)
            logits.append(out)
            alphas.append(alpha)
            prev = out.argmax(dim=1) if Y is None else Y[:, t]
        return torch.stack(logits, dim=1), torch.stack(alphas, dim=1)    # (m, T_y, n_y), (m, T_y, T_x)

    def step_function(self, X_one):
        """(step, state) for :mod:`dlkit.decoding`'s searches over the translations of one input X_one: (T_x,).

        ``state`` is the start state (s0, c0) of the empty hypothesis;
        ``step(tokens, states)`` stacks the k hypotheses' states into one
        batch, runs :meth:`decode_step` without gradients and returns the
        softmax probabilities (k, n_y) as float64 NumPy (rows renormalized
        after the float32 softmax) and the k new states.  The start token is
        bos = n_y.
        """
        X_one = self._tensor(X_one)
        check_shape("X_one", X_one, ("T_x",))
        with torch.no_grad():
            a, mask, (s0, c0) = self.encode(X_one.unsqueeze(0))

        def step(tokens, states):
            k = len(states)
            s_prev = torch.stack([s for s, _ in states])                          # (k, n_s)
            c_prev = torch.stack([c for _, c in states])
            with torch.no_grad():
                logits, (s, c), _ = self.decode_step(torch.as_tensor(tokens, dtype=torch.long), (s_prev, c_prev),
                                                     a.expand(k, -1, -1), mask.expand(k, -1))
            probs = torch.softmax(logits, dim=1).cpu().double().numpy()
            return probs / probs.sum(axis=1, keepdims=True), list(zip(s, c))

        return step, (s0[0], c0[0])


def train_translator(model, data, epochs=4, batch_size=256, lr=2e-2, seed=0, progress=True):
    """Train a :class:`DateTranslator` with Adam on cross-entropy with teacher forcing; returns the mean loss per epoch.

    data: a ``DateData`` of :func:`dlkit.data.load_dates` (X (m, T_x), Y
    (m, 10)).  Each epoch visits the examples in a new order drawn from
    ``seed``; the loss is the mean over the T_y output tokens of
    F.cross_entropy.  progress=True prints each epoch's loss with
    :func:`dlkit.progress.print_cost`.  Changes model in place.

    Recipe, measured: ``torch.manual_seed(0)``, ``model = DateTranslator()``,
    ``train_translator(model, load_dates(m=10000, seed=0))`` with the
    defaults (4 epochs of 40 batches of 256, Adam with lr 0.02): losses
    1.20, 0.43, 0.15, 0.034; exact-match accuracy on the 1,000 held-out
    dates of ``load_dates(m=1000, seed=1)``: 97.4% greedy
    (:func:`translate`), 97.6% with beam search B = 3, 5 and 10 (alpha
    0.7).  (3 epochs: 83%; 5 epochs: 99.3%.)  About 20 s of CPU time with
    one torch thread (OPENBLAS_NUM_THREADS=1), measured on a 2-core machine
    shared with other jobs (load average 11; the wall time there was 108 s).
    """
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        _check_size(name, value)
    if not lr > 0:
        raise ValueError(f"lr is {lr!r}, expected a positive learning rate")
    X, Y = model._tensor(data.X), model._tensor(data.Y)
    check_shape("data.Y", Y, (X.shape[0], model.T_y))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    model.train()
    for epoch in range(1, epochs + 1):
        total = 0.0
        for batch in torch.randperm(X.shape[0], generator=generator).split(batch_size):
            logits, _ = model(X[batch], Y[batch])                                    # (b, T_y, n_y)
            loss = nn.functional.cross_entropy(logits.reshape(-1, model.n_y), Y[batch].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / X.shape[0])
        if progress:
            print_cost(epoch, losses[-1])
    return losses


def translate(model, X, beam_width=1, alpha=0.7):
    """The translations of X: (m, T_x) ints by a :class:`DateTranslator`: m lists of T_y = 10 output indices.

    beam_width=1: greedy, all rows in one batch (:meth:`DateTranslator.forward`
    without Y).  beam_width > 1: :func:`dlkit.decoding.beam_search` per row
    over :meth:`DateTranslator.step_function`, the best hypothesis by
    log_prob / T_y**alpha (every translation has T_y tokens, so here alpha
    does not change the ranking).  ``"".join(MACHINE_VOCAB[i] for i in
    tokens)`` gives the date.
    """
    if not (isinstance(beam_width, int) and beam_width >= 1):
        raise ValueError(f"beam_width is {beam_width!r}, expected an int >= 1")
    if not alpha >= 0:
        raise ValueError(f"alpha is {alpha!r}, expected a number >= 0")
    X = model._tensor(X)
    check_shape("X", X, ("m", "T_x"))
    with torch.no_grad():
        if beam_width == 1:
            return model(X)[0].argmax(dim=2).tolist()
        translations = []
        for x in X:
            step, state = model.step_function(x)
            best = beam_search(step, state, bos=model.n_y, beam_width=beam_width, max_length=model.T_y, alpha=alpha)[0]
            translations.append(list(best.tokens))
        return translations


# --- Chapter 14: sentiment classification and fastText ------------------------------------------

def _word_index(word_to_index):
    """The dict word -> row of a dict, a :class:`dlkit.text.Vocabulary` or a :class:`dlkit.data.WordVectors`."""
    index = word_to_index if isinstance(word_to_index, dict) else getattr(word_to_index, "index", None)
    if not isinstance(index, dict):
        raise ValueError(f"word_to_index is a {type(word_to_index).__name__}, expected a dict word -> row, "
                         "a dlkit.text.Vocabulary or a dlkit.data.WordVectors")
    return index


def encode_sentences(sentences, word_to_index, max_len=None):
    """Sentences as right-padded rows of embedding indices for :class:`SentimentLSTM`: (m, T) int64.

    Each sentence is split by :func:`dlkit.text.tokenize`; a word of row i of
    the embeddings (word_to_index[word] = i: a dict, a
    :class:`dlkit.text.Vocabulary` or a :class:`dlkit.data.WordVectors`)
    becomes index i + 1, unknown words are dropped, and 0 pads each row to T
    = max_len (longer sentences keep their first max_len known words), or to
    the longest sentence when max_len is None.

    >>> encode_sentences(["a good film", "bad"], {"good": 0, "bad": 1, "film": 2})
    array([[1, 3],
           [2, 0]])
    """
    if isinstance(sentences, str):
        raise ValueError("sentences is a str, expected a list of str")
    index = _word_index(word_to_index)
    rows = [[index[w] + 1 for w in tokenize(s) if w in index] for s in sentences]
    if max_len is not None:
        _check_size("max_len", max_len)
        rows = [r[:max_len] for r in rows]
    T = max_len if max_len is not None else max([len(r) for r in rows] + [1])
    X = np.zeros((len(rows), T), dtype=np.int64)
    for i, r in enumerate(rows):
        X[i, : len(r)] = r
    return X


class SentimentLSTM(nn.Module):
    """The notes' many-to-one RNN for sentiment: pretrained embeddings -> LSTM -> the last hidden state -> Linear.

    embeddings: (V, n_e) word vectors (a NumPy array or a tensor, e.g.
    ``load_word_vectors().vectors``); they fill rows 1..V of an
    nn.Embedding(V + 1, n_e) whose row 0 is the padding (zeros).
    freeze=True keeps them fixed, the notes' case: with few labelled
    sentences, training the vectors moves only the words those sentences
    contain, so a word met only at test time keeps a vector its neighbours
    have left, while fixed vectors carry what they learnt from 17.7 million
    words of unlabelled text to every word.  It is also 3.5 times faster (no
    update of the V x n_e table).  With the 8,058 movie sentences, measured
    with the recipe of :func:`train_text_classifier`: frozen 74.3% test
    accuracy (train 78.9%, 11 s); freeze=False 77.5% (train 99.8%: it
    memorizes the training set, 40 s), enough data for fine-tuning to pay
    off a little.  An nn.LSTM(n_e, hidden) reads each
    sentence over its own length (packed, so the padding never enters), and
    Linear(hidden, n_classes) maps the hidden state after its last word to
    the logits.  forward(X: (m, T) ints from :func:`encode_sentences`,
    right-padded with 0) -> logits (m, n_classes).  A sentence without a
    known word reads one padding step (the zero vector).

    Recipe: see :func:`train_text_classifier`.
    """

    def __init__(self, embeddings, n_classes, hidden=32, freeze=True):
        super().__init__()
        embeddings = torch.as_tensor(embeddings, dtype=torch.get_default_dtype())
        check_shape("embeddings", embeddings, ("V", "n_e"))
        _check_size("n_classes", n_classes)
        _check_size("hidden", hidden)
        table = torch.cat([embeddings.new_zeros(1, embeddings.shape[1]), embeddings])     # row 0: padding
        self.embedding = nn.Embedding.from_pretrained(table, freeze=freeze, padding_idx=0)
        self.lstm = nn.LSTM(embeddings.shape[1], hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, X):
        X = torch.as_tensor(X, device=self.head.weight.device)
        check_shape("X", X, ("m", "T"))
        _check_indices("X", X, self.embedding.num_embeddings)
        mask = X != 0
        if X.shape[1] == 0 or (mask[:, 1:] & ~mask[:, :-1]).any():
            raise ValueError(f"X has shape {tuple(X.shape)}, expected (m, T) with T >= 1, right-padded: no padding "
                             "(index 0) before a word")
        lengths = mask.sum(dim=1).clamp(min=1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(X), lengths, batch_first=True,
                                                   enforce_sorted=False)
        _, (h, _) = self.lstm(packed)                   # h: (1, m, hidden), each row after its own last word
        return self.head(h[-1])


class FastText(nn.Module):
    """fastText's text classifier (Joulin et al. 2017) with subword units (Bojanowski et al. 2017).

    Every word of a sentence is its own id in ``vocab`` (a
    :class:`dlkit.text.Vocabulary`, or a sequence of words) when it has one,
    plus the buckets of its character n-grams, :func:`dlkit.text.char_ngrams`
    (word, n_min, n_max) with the < > marks and the whole "<word>", each
    hashed by :func:`dlkit.text.hash_ngram` into ``buckets`` rows (V + bucket);
    word_ngrams=2 adds a bucket for each pair of neighbouring words ("w1 w2",
    hashed into the same rows, as fastText does).  The sentence vector is the
    mean of the rows of all its features (nn.EmbeddingBag, mode "mean"), and
    Linear(n_e, n_classes) gives the logits: the notes' CBOW-like
    architecture, predicting the label instead of the middle word.  A word
    outside vocab, a misspelling, still has its n-grams: see
    :meth:`word_vector`.  The embedding's gradients are sparse (only the rows
    a batch uses); as in fastText, the table starts uniform in [-1/n_e, 1/n_e]
    and the output layer at zero.  fastText's hierarchical softmax (for
    thousands of labels) is not needed for two classes.  buckets: fastText
    takes 2,000,000; the movie sentences of :func:`dlkit.data.load_sentiment`
    hold 113,358 distinct character n-grams and 83,748 word pairs, and
    2^16, 2^18, 2^20 buckets gave 76.8%, 77.2%, 76.9% test accuracy (n_e =
    50, 5 epochs): 2^18 keeps collisions moderate at 34 MB with n_e = 32.

    forward(flat, offsets) -> logits (m, n_classes), with (flat, offsets)
    from :meth:`encode`: the feature ids of all m sentences end to end, and
    where each sentence starts.  A sentence without any word has the zero vector.

    Recipe: see :func:`train_text_classifier`.
    """

    def __init__(self, vocab, n_classes, buckets=2**18, n_e=32, word_ngrams=2, n_min=3, n_max=6):
        super().__init__()
        words = vocab.words if hasattr(vocab, "words") else tuple(vocab)
        if isinstance(vocab, str) or not all(isinstance(w, str) for w in words):
            raise ValueError(f"vocab is a {type(vocab).__name__}, expected a dlkit.text.Vocabulary or a list of str")
        for name, value in (("n_classes", n_classes), ("buckets", buckets), ("n_e", n_e),
                            ("word_ngrams", word_ngrams)):
            _check_size(name, value)
        char_ngrams("a", n_min, n_max)                   # checks 1 <= n_min <= n_max
        self.index = {w: i for i, w in enumerate(words)}
        self.buckets, self.word_ngrams, self.n_min, self.n_max = buckets, word_ngrams, n_min, n_max
        self.embedding = nn.EmbeddingBag(len(words) + buckets, n_e, mode="mean", sparse=True)
        nn.init.uniform_(self.embedding.weight, -1.0 / n_e, 1.0 / n_e)
        self.head = nn.Linear(n_e, n_classes)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def _word_features(self, word):
        """The rows of one word: its id when known, then its n-gram buckets (offset by V)."""
        V = len(self.index)
        grams = [V + hash_ngram(g, self.buckets) for g in char_ngrams(word, self.n_min, self.n_max)]
        return ([self.index[word]] if word in self.index else []) + grams

    def features(self, sentences):
        """The feature rows of each sentence: a list of m int64 arrays (the input of :func:`train_text_classifier`)."""
        if isinstance(sentences, str):
            raise ValueError("sentences is a str, expected a list of str")
        V, cache, out = len(self.index), {}, []
        for s in sentences:
            tokens = tokenize(s)
            for w in tokens:
                if w not in cache:
                    cache[w] = self._word_features(w)
            ids = [i for w in tokens for i in cache[w]]
            for n in range(2, self.word_ngrams + 1):     # word n-grams: tokens never hold a space
                ids += [V + hash_ngram(" ".join(tokens[k : k + n]), self.buckets) for k in range(len(tokens) - n + 1)]
            out.append(np.array(ids, dtype=np.int64))
        return out

    def encode(self, sentences):
        """(flat, offsets) for :meth:`forward`: int64 tensors (N,) and (m,) on the model's device."""
        return _bag(self.features(sentences), self.head.weight.device)

    def word_vector(self, word):
        """A word's vector, the mean of the rows of its features (its id if known, its n-gram buckets): (n_e,).

        Any word has one: a word outside the vocabulary gets the mean of its
        character n-gram rows, which training shaped through the words that share them.
        """
        rows = torch.as_tensor(self._word_features(word), device=self.head.weight.device)
        return self.embedding.weight[rows].mean(dim=0).detach()

    def forward(self, flat, offsets):
        flat = torch.as_tensor(flat, device=self.head.weight.device)
        offsets = torch.as_tensor(offsets, device=self.head.weight.device)
        check_shape("flat", flat, ("N",))
        check_shape("offsets", offsets, ("m",))
        _check_indices("flat", flat, self.embedding.num_embeddings)
        _check_indices("offsets", offsets, flat.shape[0] + 1)
        if offsets.numel() and (offsets[0] != 0 or (offsets[1:] < offsets[:-1]).any()):
            raise ValueError("offsets must start at 0 and never decrease (where each sentence starts in flat)")
        return self.head(self.embedding(flat, offsets))


def _bag(features, device=None):
    """A list of m int64 arrays -> (flat (N,), offsets (m,)) tensors, EmbeddingBag's input."""
    lengths = [len(f) for f in features]
    flat = np.concatenate(features) if features else np.zeros(0, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return torch.as_tensor(flat, device=device), torch.as_tensor(offsets, device=device)


def _text_batches(model, X, idx):
    """The forward arguments of the examples idx of X: (m, T) rows, or a list of feature arrays bagged."""
    if isinstance(X, (list, tuple)):
        return _bag([X[i] for i in idx.tolist()], model.head.weight.device)
    return (X[idx],)


def _check_text_inputs(model, X, y=None):
    if isinstance(X, (list, tuple)):
        m = len(X)
    else:
        X = torch.as_tensor(X, device=model.head.weight.device)
        m = check_shape("X", X, ("m", "T"))["m"]
    if y is None:
        return X
    y = torch.as_tensor(np.asarray(y), device=model.head.weight.device).reshape(-1)
    if y.shape[0] != m:
        raise ValueError(f"y has {y.shape[0]} labels, expected (m,) or (1, m) = ({m},) or (1, {m})")
    if y.numel() and (y.min() < 0 or y.max() >= model.head.out_features or (y != y.round()).any()):
        raise ValueError(f"y must hold integer labels in 0..{model.head.out_features - 1}")
    return X, y.long()


def train_text_classifier(model, X, y, epochs=5, batch_size=64, lr=1e-2, seed=0, progress=True):
    """Train a :class:`SentimentLSTM` or a :class:`FastText` on the cross-entropy; returns each epoch's mean loss.

    X: for SentimentLSTM the (m, T) indices of :func:`encode_sentences`; for
    FastText the list of m feature arrays of :meth:`FastText.features`.  y:
    (m,) or (1, m) labels in 0..n_classes-1 (:func:`dlkit.data.load_sentiment`'s
    Y_train).  Each epoch visits the examples in a new order drawn from
    ``seed``.  Parameters with sparse gradients (FastText's table) get
    torch.optim.SparseAdam, the others Adam, both with rate lr; frozen ones
    are left alone.  progress=True prints each epoch's loss with
    :func:`dlkit.progress.print_cost`.  Changes model in place.

    Recipes, measured on ``load_sentiment()`` (movie sentences, 8,058 to train and 2,014 to test; chance
    50.4%), each after ``torch.manual_seed(0)``, with one torch thread; CPU times on a 2-core machine shared
    with other jobs (load average 6-8, wall times 2.5 times longer; run under ``nice``):

    - ``SentimentLSTM(load_word_vectors().vectors, 2)`` (hidden 32, frozen vectors) on
      ``encode_sentences(sentences, wv)`` (T = 53) with the defaults (5 epochs of batches of 64, lr 0.01):
      losses 0.659, 0.583, 0.544, 0.505, 0.482; test accuracy 74.3%, in 11 s.
    - ``FastText(Vocabulary([tokenize(s) for s in sentences]), 2)`` (V = 15,632, 2^18 buckets, n_e = 32,
      word pairs) on ``model.features(sentences)`` (2.4 million features, 2 s), ``epochs=3``: losses 0.552,
      0.296, 0.151; test accuracy 78.3%, in 7 s (2 epochs: 78.6%).  More epochs overfit (n_e = 50,
      5 epochs: loss 0.013, 77.2%).  The misspellings "goood", "awfull", "borring", "terrrible", "wonderfull" (not in V) score
      on the side of their correct spelling.
    - For comparison, :func:`dlkit.numpy.sentiment.train_avg_classifier` on the averaged word vectors: 69.2%.
      On the notes' "Completely lacking in good taste, good service, and good ambience." the averaging
      classifier says positive (P = 0.73), the LSTM above negative (P(positive) = 0.19).
    """
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        _check_size(name, value)
    if not lr > 0:
        raise ValueError(f"lr is {lr!r}, expected a positive learning rate")
    X, y = _check_text_inputs(model, X, y)
    sparse = {id(p) for mod in model.modules() if getattr(mod, "sparse", False) for p in mod.parameters()}
    trained = [p for p in model.parameters() if p.requires_grad]
    optimizers = [opt([p for p in trained if (id(p) in sparse) == is_sparse], lr=lr)
                  for opt, is_sparse in ((torch.optim.Adam, False), (torch.optim.SparseAdam, True))
                  if any((id(p) in sparse) == is_sparse for p in trained)]
    generator = torch.Generator().manual_seed(seed)
    losses = []
    model.train()
    for epoch in range(1, epochs + 1):
        total = 0.0
        for batch in torch.randperm(len(y), generator=generator).split(batch_size):
            loss = nn.functional.cross_entropy(model(*_text_batches(model, X, batch)), y[batch.to(y.device)])
            for optimizer in optimizers:
                optimizer.zero_grad()
            loss.backward()
            for optimizer in optimizers:
                optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(y))
        if progress:
            print_cost(epoch, losses[-1])
    return losses


def predict_text_classifier(model, X, batch_size=1024):
    """The argmax class of each example of X (as in :func:`train_text_classifier`): (m,) int64 NumPy labels."""
    X = _check_text_inputs(model, X)
    _check_size("batch_size", batch_size)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        labels = [model(*_text_batches(model, X, batch)).argmax(dim=1).cpu()
                  for batch in torch.arange(len(X)).split(batch_size)]
    model.train(was_training)
    return torch.cat(labels).numpy() if labels else np.zeros(0, dtype=np.int64)
