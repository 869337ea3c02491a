"""The class of submissions every assignment is graded on, shared by the grading tests.

Per assignment: a correct submission, an untouched release, and a half-right
one that also answers one function by calling dlkit's own implementation
(which must earn nothing); on a few assignments, two cheaters, who edit or
delete a test cell of the half-right notebook.  graded_course runs
generate_assignment, autograde, generate_feedback and export on them in a
scratch course; the test files (one per part of the book, so that the two
pytest workers share the grading) check every score, the feedback pages, the
exported CSV, and that exercises/ is what nbgrader generated.
"""

import copy
import csv
import filecmp

from helpers import ROOT
from submissions import Course, fill, meta, solutions, points_of

# Per assignment: the functions the half-right student wrote, the function
# that student answers by calling dlkit instead, with the test cells that must
# then give nothing (its own, and those of the functions that call it), and
# the test cell a cheater edits or deletes.
CLASS = {
    "01_numpy_basics": {
        "half": {"sigmoid", "sigmoid_derivative", "image2vector", "normalize_rows"},
        "tampered": "test_softmax",
        "delegated": ("softmax", "from dlkit.numpy.basics import softmax as _softmax\n\n"
                                 "def softmax(x, axis=-1):\n    return _softmax(x, axis)"),
        "delegated_tests": {"test_softmax"},
    },
    "02_logistic_regression": {
        "half": {"initialize_with_zeros", "propagate", "predict"},
        "tampered": "test_optimize",
        "delegated": ("predict", "import dlkit.numpy.logistic_regression as lr\n\n"
                                 "def predict(w, b, X):\n    return lr.predict(w, b, X)"),
        "delegated_tests": {"test_predict", "test_model"},
    },
    "03_shallow_network": {
        "half": {"layer_sizes", "initialize_parameters", "compute_cost", "update_parameters", "forward_propagation"},
        "tampered": "test_backward_propagation",
        "delegated": ("forward_propagation", "from dlkit.numpy.shallow_network import forward_propagation as _fp\n\n"
                                             "def forward_propagation(X, parameters):\n    return _fp(X, parameters)"),
        "delegated_tests": {"test_forward_propagation", "test_nn_model", "test_predict"},
    },
    "04_deep_network_step_by_step": {
        "half": {"initialize_parameters_deep", "linear_forward", "compute_cost", "linear_backward", "update_parameters"},
        "tampered": "test_L_model_backward",
        "delegated": ("linear_forward", "from dlkit.numpy.deep_network import linear_forward as _lf\n\n"
                                        "def linear_forward(A_prev, W, b):\n    return _lf(A_prev, W, b)"),
        "delegated_tests": {"test_linear_forward", "test_linear_activation_forward", "test_L_model_forward"},
    },
    "04_deep_network_application": {
        "half": {"two_layer_model"},
        "tampered": "test_L_layer_model",
        "delegated": ("L_layer_model", "from dlkit.numpy.deep_network import L_layer_model as _ll\n\n"
                                       "def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000,"
                                       " seed=1, record_every=100, callback=None):\n"
                                       "    return _ll(X, Y, layers_dims, learning_rate, num_iterations, seed,"
                                       " record_every, callback)"),
        "delegated_tests": {"test_L_layer_model"},
    },
    "05_initialization": {
        "half": {"initialize_parameters_zeros", "initialize_parameters_random"},
        "tampered": "test_initialize_parameters_he",
        "delegated": ("initialize_parameters_he", "from dlkit.numpy.initialization import initialize_parameters_he as _he"
                                                  "\n\ndef initialize_parameters_he(layer_dims, seed=3):\n"
                                                  "    return _he(layer_dims, seed)"),
        "delegated_tests": {"test_initialize_parameters_he"},
    },
    "05_regularization": {
        "half": {"compute_cost_with_regularization", "forward_propagation_with_dropout"},
        "tampered": "test_backward_propagation_with_dropout",
        "delegated": ("compute_cost_with_regularization",
                      "from dlkit.numpy.regularization import compute_cost_with_regularization as _ccr\n\n"
                      "def compute_cost_with_regularization(AL, Y, parameters, lambd):\n"
                      "    return _ccr(AL, Y, parameters, lambd)"),
        "delegated_tests": {"test_compute_cost_with_regularization"},
    },
    "05_gradient_checking": {
        "half": {"dictionary_to_vector", "vector_to_dictionary"},
        "tampered": "test_gradient_check_n",
        "delegated": ("dictionary_to_vector", "from dlkit.numpy.gradient_checking import dictionary_to_vector as _d2v"
                                              "\n\ndef dictionary_to_vector(parameters):\n    return _d2v(parameters)"),
        "delegated_tests": {"test_dictionary_to_vector", "test_gradient_check_n", "test_gradient_check_n_finds_bug"},
    },
    "06_optimization": {
        "half": {"random_mini_batches", "initialize_velocity", "update_parameters_with_momentum", "schedule_lr_decay"},
        "tampered": "test_update_parameters_with_adam",
        "delegated": ("update_parameters_with_momentum",
                      "from dlkit.numpy.optimization import update_parameters_with_momentum"),
        "delegated_tests": {"test_update_parameters_with_momentum", "test_model", "test_model_unknown_optimizer"},
    },
    "07_batch_normalization": {
        "half": {"batchnorm_backward", "layernorm_forward", "layernorm_backward"},
        "tampered": "test_batchnorm_forward",
        "delegated": ("batchnorm_forward", "from dlkit.numpy.batch_norm import batchnorm_forward as _bf\n\n"
                                           "def batchnorm_forward(Z, gamma, beta, running=None, mode='train',"
                                           " momentum=0.9, eps=1e-5):\n"
                                           "    return _bf(Z, gamma, beta, running, mode, momentum, eps)"),
        "delegated_tests": {"test_batchnorm_forward", "test_batchnorm_matches_torch"},
    },
    "07_softmax_and_pytorch": {
        "half": {"one_hot", "softmax_cross_entropy", "train_pytorch"},
        "tampered": "test_softmax_regression_model",
        "delegated": ("one_hot", "from dlkit.numpy.softmax_regression import one_hot as _dl_one_hot\n\n"
                                 "def one_hot(labels, K):\n    return _dl_one_hot(labels, K)"),
        "delegated_tests": {"test_one_hot", "test_softmax_regression_model"},
    },
    "08_ml_strategy": {
        "half": {"confusion_matrix", "precision_recall_f1", "average_f1", "error_gaps", "main_problem"},
        "tampered": "test_train",
        "delegated": ("confusion_matrix", "from dlkit.metrics import confusion_matrix as _dl_confusion_matrix\n\n"
                                          "def confusion_matrix(y_true, y_pred, K):\n"
                                          "    return _dl_confusion_matrix(y_true, y_pred, K)"),
        "delegated_tests": {"test_confusion_matrix"},
    },
    "09_cnn_application": {
        "half": {"ConvNet", "evaluate"},
        "tampered": "test_train_epoch",
        "delegated": ("ConvNet", "from dlkit.torch.models import SmallCNN as ConvNet"),
        "delegated_tests": {"test_ConvNet"},
    },
    "09_convolution_step_by_step": {
        "half": {"zero_pad", "conv_single_step", "conv_forward", "create_mask_from_window", "distribute_value"},
        "tampered": "test_pool_backward",
        "delegated": ("zero_pad", "from dlkit.numpy.convolution import zero_pad as _dl_zero_pad\n\n"
                                  "def zero_pad(X, pad):\n    return _dl_zero_pad(X, pad)"),
        "delegated_tests": {"test_zero_pad", "test_conv_forward", "test_conv_backward"},
    },
    "10_residual_networks": {
        "half": {"IdentityBlock", "train_model"},
        "tampered": "test_ConvolutionalBlock",
        "delegated": ("IdentityBlock", "from dlkit.torch.models import IdentityBlock"),
        "delegated_tests": {"test_IdentityBlock", "test_build_resnet"},
    },
    "A_knn_svm_softmax": {
        "half": {"compute_distances_two_loops", "compute_distances_no_loops", "predict_labels", "choose_k"},
        "tampered": "test_svm_loss_vectorized",
        "delegated": ("svm_loss_vectorized", "from dlkit.numpy.linear_classifier import svm_loss_vectorized as _dl_svm\n\n"
                                             "def svm_loss_vectorized(W, X, y, reg, delta=1.0):\n"
                                             "    return _dl_svm(W, X, y, reg, delta)"),
        "delegated_tests": {"test_svm_loss_vectorized", "test_train_linear_classifier"},
    },
    "11_object_detection": {
        "half": {"iou", "yolo_filter_boxes", "non_max_suppression"},
        "tampered": "test_build_yolo_target",
        "delegated": ("iou", "from dlkit.numpy.detection import iou as _dl_iou\n\n"
                             "def iou(boxes1, boxes2):\n    return _dl_iou(boxes1, boxes2)"),
        "delegated_tests": {"test_iou", "test_non_max_suppression", "test_yolo_eval"},
    },
    "12_face_recognition": {
        "half": {"triplet_loss", "verify"},
        "tampered": "test_who_is_it",
        "delegated": ("triplet_loss", "from dlkit.torch.face_recognition import triplet_loss as _dl_triplet_loss\n\n"
                                      "def triplet_loss(A, P, N, alpha=0.2):\n"
                                      "    return _dl_triplet_loss(A, P, N, alpha)"),
        "delegated_tests": {"test_triplet_loss"},
    },
    "12_style_transfer": {
        "half": {"compute_content_cost", "gram_matrix", "total_cost"},
        "tampered": "test_compute_layer_style_cost",
        "delegated": ("gram_matrix", "from dlkit.torch.style_transfer import gram_matrix as _dl_gram_matrix\n\n"
                                     "def gram_matrix(A):\n    return _dl_gram_matrix(A)"),
        "delegated_tests": {"test_gram_matrix", "test_compute_layer_style_cost", "test_compute_style_cost"},
    },
    "13_rnn_step_by_step": {
        "half": {"rnn_cell_forward", "rnn_forward", "rnn_cell_backward", "lstm_cell_forward", "gru_cell_forward"},
        "tampered": "test_rnn_backward",
        "delegated": ("rnn_cell_forward", "from dlkit.numpy.rnn import rnn_cell_forward as _dl_rnn_cell_forward\n\n"
                                          "def rnn_cell_forward(xt, a_prev, parameters):\n"
                                          "    return _dl_rnn_cell_forward(xt, a_prev, parameters)"),
        "delegated_tests": {"test_rnn_cell_forward", "test_rnn_forward"},
    },
    "13_character_language_model": {
        "half": {"clip", "optimize"},
        "tampered": "test_sample",
        "delegated": ("clip", "from dlkit.numpy.rnn import clip as _dl_clip\n\n"
                              "def clip(gradients, max_value):\n    return _dl_clip(gradients, max_value)"),
        "delegated_tests": {"test_clip", "test_optimize", "test_model"},
    },
    "14_word_vectors": {
        "half": {"cosine_similarity", "complete_analogy"},
        "tampered": "test_equalize",
        "delegated": ("cosine_similarity",
                      "from dlkit.numpy.word_vectors import cosine_similarity as _dl_cosine_similarity\n\n"
                      "def cosine_similarity(u, v):\n    return _dl_cosine_similarity(u, v)"),
        "delegated_tests": {"test_cosine_similarity"},
    },
    "14_fasttext": {
        "half": {"hash_ngram", "sentence_features"},
        "tampered": "test_FastTextClassifier",
        "delegated": ("char_ngrams", "from dlkit.text import char_ngrams as _dl_char_ngrams\n\n"
                                     "def char_ngrams(word, n_min=3, n_max=6):\n"
                                     "    return _dl_char_ngrams(word, n_min, n_max)"),
        "delegated_tests": {"test_char_ngrams", "test_sentence_features"},
    },
    "14_sentiment": {
        "half": {"sentence_to_avg", "avg_classifier_forward", "avg_classifier_backward"},
        "tampered": "test_SentimentLSTM",
        "delegated": ("train_avg_classifier",
                      "from dlkit.numpy.sentiment import train_avg_classifier as _dl_train_avg_classifier\n\n"
                      "def train_avg_classifier(X_avg, Y, n_classes=None, learning_rate=2.0, num_epochs=30,"
                      " mini_batch_size=64, seed=0):\n"
                      "    return _dl_train_avg_classifier(X_avg, Y, n_classes, learning_rate, num_epochs,"
                      " mini_batch_size, seed)"),
        "delegated_tests": {"test_train_avg_classifier"},
    },
    "14_word2vec_and_glove": {
        "half": {"noise_distribution", "sgns_loss_and_grads", "weighting"},
        "tampered": "test_glove_loss_and_grads",
        "delegated": ("sgns_loss_and_grads",
                      "from dlkit.numpy.word2vec import sgns_loss_and_grads as _dl_sgns_loss_and_grads\n\n"
                      "def sgns_loss_and_grads(e_c, u_o, u_neg):\n    return _dl_sgns_loss_and_grads(e_c, u_o, u_neg)"),
        "delegated_tests": {"test_sgns_loss_and_grads"},
    },
    "15_beam_search_and_bleu": {
        "half": {"modified_precision", "brevity_penalty", "bleu"},
        "tampered": "test_beam_search",
        "delegated": ("modified_precision",
                      "from dlkit.metrics import modified_precision as _dl_modified_precision\n\n"
                      "def modified_precision(references, hypothesis, n):\n"
                      "    return _dl_modified_precision(references, hypothesis, n)"),
        "delegated_tests": {"test_modified_precision", "test_bleu"},
    },
    "15_nmt_attention": {
        "half": {"one_step_attention", "train", "exact_match"},
        "tampered": "test_Translator",
        "delegated": ("Translator", "from dlkit.torch.models import DateTranslator as Translator"),
        "delegated_tests": {"test_Translator"},
    },
}


def _part(assignment):
    """The part of the book an assignment belongs to (the appendix goes with Parts I and II)."""
    chapter = int(assignment[:2]) if assignment[:2].isdigit() else 0
    return "1_2" if chapter <= 8 else "3" if chapter <= 12 else "4"


# One test file per part of the book, so that the two pytest workers share the grading.
PARTS = {part: sorted(a for a in CLASS if _part(a) == part) for part in ("1_2", "3", "4")}
STUDENTS = ["correct", "empty", "half", "edited", "deleted"]
# nbgrader restores an edited or deleted test cell from its gradebook whatever
# the assignment (every graded cell is locked: tests/test_exercises.py checks
# it), so the two cheaters sit only a few assignments of each kind: NumPy,
# PyTorch, step-by-step and training.  Each of them costs a graded run.
CHEATS_ON = {"01_numpy_basics", "07_softmax_and_pytorch", "09_convolution_step_by_step", "13_rnn_step_by_step"}


def students(assignment):
    """The students who hand in this assignment."""
    return [s for s in STUDENTS if assignment in CHEATS_ON or s not in ("edited", "deleted")]


def _submissions(source, released, spec):
    answers = solutions(source)
    name, code = spec["delegated"]
    half = fill(released, {**{k: v for k, v in answers.items() if k in spec["half"]}, name: code})
    edited, deleted = copy.deepcopy(half), copy.deepcopy(half)
    for cell in edited.cells:
        if meta(cell).get("grade_id") == spec["tampered"]:
            cell.source = "pass"
    deleted.cells = [c for c in deleted.cells if meta(c).get("grade_id") != spec["tampered"]]
    return {"correct": fill(released, answers), "empty": released, "half": half, "edited": edited, "deleted": deleted}


def _expected(points, spec, student):
    """Test cell -> the points each student earned."""
    if student == "correct":
        return dict(points)
    written = set() if student == "empty" else spec["half"] | {spec["delegated"][0]}
    return {t: (p if t[5:] in written and t not in spec["delegated_tests"] else 0.0) for t, p in points.items()}


def graded_course(root, assignments):
    """A course after generate, autograde, feedback and export of these assignments."""
    course = Course(root, assignments)
    for assignment in assignments:
        subs = _submissions(course.source(assignment), course.released(assignment), CLASS[assignment])
        for student in students(assignment):
            course.submit(student, assignment, subs[student])
        course.run("autograde", assignment)
        course.run("generate_feedback", assignment)
    course.run("export")
    return course


def check_release_is_committed(course, assignments):
    """exercises/ in the repository is what generate_assignment made of solutions/ in this course."""
    stale = []

    def walk(c, prefix):
        stale.extend(prefix + n for n in c.left_only + c.right_only + c.diff_files + c.funny_files)
        for name, sub in c.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    for assignment in assignments:
        walk(filecmp.dircmp(ROOT / "exercises" / assignment, course.root / "exercises" / assignment,
                            ignore=[".ipynb_checkpoints"]), f"{assignment}/")
    assert not stale, f"exercises/ is out of date ({stale}): run `make exercises` and commit the result"


def check_scores(course, assignment, student):
    """Every test cell's score in the gradebook is what this student earned."""
    expected = _expected(points_of(course.source(assignment)), CLASS[assignment], student)
    assert course.scores(assignment, student) == expected


def check_feedback_and_export(course, assignments):
    """Each student has a feedback page; grades.csv gives full marks to the correct one, none to the empty one."""
    root = course.root
    for assignment in assignments:
        for student in students(assignment):
            pages = list((root / "feedback" / student / assignment).glob("*.html"))
            assert pages and pages[0].stat().st_size > 1000, f"no feedback for {student} on {assignment}"
    rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(open(root / "grades.csv"))}
    for assignment in assignments:
        total = sum(points_of(course.source(assignment)).values())
        assert float(rows[assignment, "correct"]["score"]) == float(rows[assignment, "correct"]["max_score"]) == total
        assert float(rows[assignment, "empty"]["score"]) == 0.0
