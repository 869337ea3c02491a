"""NumPy reference implementations, in the notation of the notes.

Dense data ``X`` is ``(n_x, m)`` with one example per column, ``W[l]`` is
``(n[l], n[l-1])`` and ``b[l]`` is ``(n[l], 1)``; images are ``(m, n_H, n_W,
n_C)`` and filters ``(f, f, n_C_prev, n_C)``.  One module per topic:

- :mod:`dlkit.numpy.basics`: chapter 1, NumPy basics;
- :mod:`dlkit.numpy.computation_graph`: chapter 2, the graph J = 3(a + bc);
- :mod:`dlkit.numpy.logistic_regression`: chapter 2, logistic regression;
- :mod:`dlkit.numpy.activations`: chapter 3, the activation zoo and derivatives;
- :mod:`dlkit.numpy.perceptron`: chapter 3, the perceptron and its learning rule;
- :mod:`dlkit.numpy.shallow_network`: chapter 3, a network with one hidden layer;
- :mod:`dlkit.numpy.deep_network`: chapter 4, L layers from forward/backward blocks;
- :mod:`dlkit.numpy.initialization`: chapter 5, zeros, random, LeCun, Xavier and He;
- :mod:`dlkit.numpy.regularization`: chapter 5, L2/L1, dropout, label smoothing;
- :mod:`dlkit.numpy.input_normalization`: chapter 5, standardization and PCA whitening;
- :mod:`dlkit.numpy.gradient_checking`: chapter 5, checking backprop on all parameters;
- :mod:`dlkit.numpy.optimization`: chapter 6, mini-batches, averages and the optimizers;
- :mod:`dlkit.numpy.batch_norm`: chapter 7, batch and layer normalization;
- :mod:`dlkit.numpy.softmax_regression`: chapter 7, softmax with cross-entropy;
- :mod:`dlkit.numpy.convolution`: chapter 9, convolution, pooling, im2col and transposed convolution;
- :mod:`dlkit.numpy.detection`: chapter 11, IoU, non-max suppression, YOLO targets and outputs, mean average precision;
- :mod:`dlkit.numpy.face_recognition`: chapter 12, triplet loss, verification, recognition, batch-hard mining;
- :mod:`dlkit.numpy.style_transfer`: chapter 12, the content, Gram, style and total costs of neural style transfer;
- :mod:`dlkit.numpy.rnn`: chapter 13, RNN, LSTM and GRU cells with backpropagation through time, clipping, sampling;
- :mod:`dlkit.numpy.word_vectors`: chapter 14, cosine similarity, analogies, neutralize and equalize;
- :mod:`dlkit.numpy.word2vec`: chapter 14, skip-gram with full softmax, negative sampling, hierarchical softmax;
- :mod:`dlkit.numpy.glove`: chapter 14, GloVe's co-occurrence counts, weighting f and weighted least-squares loss;
- :mod:`dlkit.numpy.sentiment`: chapter 14, sentence averages and the averaging sentiment classifier;
- :mod:`dlkit.numpy.knn`: appendix A, k-nearest neighbours, L1/L2 distances and k-fold cross-validation;
- :mod:`dlkit.numpy.linear_classifier`: appendix A, linear classifiers with the SVM and softmax losses.

Backend-neutral helpers: early stopping in :mod:`dlkit.training`, hyperparameter
samplers in :mod:`dlkit.tuning`, evaluation metrics in :mod:`dlkit.metrics`, and
chapter 8's error gaps and error analysis in :mod:`dlkit.strategy`.
"""
